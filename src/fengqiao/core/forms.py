"""The project's form renderer: ``{{ form }}`` comes out as Tabler markup everywhere."""

from django import forms
from django.forms.renderers import DjangoTemplates

from fengqiao.core import widget_html


class FormRenderer(DjangoTemplates):
    form_template_name = "fengqiao/forms/form.html"
    field_template_name = "fengqiao/forms/field.html"

    def render(self, template_name, context, request=None):
        # Plain widgets are written in Python (core/widget_html.py): the same HTML
        # without a template per select option.
        html = widget_html.render(template_name, context)
        if html is not None:
            return html
        return super().render(template_name, context, request)


CHECK_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)
SELECT_WIDGETS = (forms.Select, forms.SelectMultiple)


def widget_class(widget: forms.Widget) -> str:
    """The Tabler class for a widget's input element(s)."""
    if isinstance(widget, CHECK_WIDGETS):
        return "form-check-input"
    # RadioSelect and CheckboxSelectMultiple are Selects too: checked above.
    if isinstance(widget, SELECT_WIDGETS):
        return "form-select"
    return "form-control"


def is_check(widget: forms.Widget) -> bool:
    return isinstance(widget, CHECK_WIDGETS)
