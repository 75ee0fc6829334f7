"""Bootstrap classes on every widget, so templates can render fields plainly; a required choice with
only one possible answer (a clerk's own organisation) comes preselected."""

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
    start-up (OrgsConfig.ready), so no form can forget it. It wraps the classes' `validate`,
    which every field instance looks up when it cleans, so fields created before start-up
    finished (forms the admin imported) are bounded too."""
    for field_class in (forms.DateField, forms.DateTimeField):
        if getattr(field_class.validate, "year_bounded", False):
            continue

        def validate(self, value, _validate=field_class.validate):
            _validate(self, value)
            within_years(value)

        validate.year_bounded = True
        field_class.validate = validate


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

    def get_initial_for_field(self, field, field_name):
        # Read when the field is rendered, after the view or form has narrowed its queryset.
        value = super().get_initial_for_field(field, field_name)
        if (value is None and field.required and isinstance(field, forms.ModelChoiceField)
                and not isinstance(field, forms.ModelMultipleChoiceField)):
            only = list(field.queryset[:2])
            if len(only) == 1:
                return only[0].pk
        return value


# ---------------------------------------------------------------------------------------------
# Personal data in edit forms: never sent to the browser in full. An ID number or phone already
# stored shows masked as a placeholder; a field left empty keeps the stored value; clearing a
# stored phone takes ticking its 清除 box (the browser asks to confirm) and is then a change like
# any other, recorded in history.


def _masked(name: str, value: str) -> str:
    from .idnumbers import mask_id, mask_phone

    return mask_id(value) if name == "id_number" else mask_phone(value)


def mask_stored_fields(form: forms.BaseForm, stored: dict[str, str], clearable: tuple[str, ...] = ()) -> None:
    """Set up `form` (editing a record whose personal fields hold `stored`) so that no full value
    is in it: each field starts empty with the masked value as placeholder; a 清除 box follows
    each clearable field that holds a value."""
    form.stored_values = dict(stored)
    order = []
    for name in list(form.fields):
        order.append(name)
        if name not in stored:
            continue
        field, value = form.fields[name], stored[name]
        form.initial[name] = ""
        field.initial = ""
        field.required = False
        field.widget.attrs["placeholder"] = f"{_masked(name, value)}（不修改请留空）" if value else ""
        field.widget.attrs["autocomplete"] = "off"
        if value and name in clearable:
            label = field.label
            form.fields[f"clear_{name}"] = forms.BooleanField(
                required=False, label=f"清除{label}",
                widget=forms.CheckboxInput(attrs={"data-confirm": f"确定清除已登记的{label}（{_masked(name, value)}）吗？清除会记入修改历史。",
                                                  "class": "form-check-input"}))
            order.append(f"clear_{name}")
    form.order_fields(order)


def keep_stored_values(form: forms.BaseForm, cleaned: dict) -> list[str]:
    """In the form's clean(): an empty masked field takes the stored value back, unless its 清除
    box is ticked. Returns the names of the fields being cleared."""
    cleared = []
    for name, value in getattr(form, "stored_values", {}).items():
        if name in form.errors or cleaned.get(name):
            continue
        if cleaned.pop(f"clear_{name}", False) and value:
            cleaned[name] = ""
            cleared.append(name)
        else:
            cleaned[name] = value
    return cleared
