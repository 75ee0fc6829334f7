"""Bootstrap classes on every widget, so templates can render fields plainly; a required choice with
only one possible answer (a clerk's own organisation) comes preselected."""

from django import forms


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
