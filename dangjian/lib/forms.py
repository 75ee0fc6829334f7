"""Bootstrap classes on every widget, so templates can render fields plainly."""

from django import forms
from django.core.exceptions import ValidationError

from .periods import FIRST_YEAR, LAST_YEAR


def within_years(value) -> None:
    """A date people type is within FIRST_YEAR–LAST_YEAR: 9999-12-31 or 0001-01-01 is a typo,
    and the work calendar and every figure's period arithmetic stop at those years."""
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(f"日期应在{FIRST_YEAR}—{LAST_YEAR}年之间", code="year_range")


def bound_every_date_field() -> None:
    """Give every form's date and date-time fields (ours, the admin's) the year range, once at
    start-up (OrgsConfig.ready), so no form can forget it."""
    for field_class in (forms.DateField, forms.DateTimeField):
        if within_years not in field_class.default_validators:
            field_class.default_validators = [*field_class.default_validators, within_years]


class BootstrapMixin:
    label_suffix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
