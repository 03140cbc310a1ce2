"""The widgets written in Python (core/widget_html.py) give Django's own template output,
byte for byte, for every kind of value a form puts into them."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from hypothesis import given, settings
from hypothesis import strategies as st

from fengqiao.core import widget_html
from fengqiao.core.forms import FormRenderer

TEMPLATES = DjangoTemplates()  # Django's stock renderer: the reference output


def both(widget: forms.Widget, name: str, value, attrs=None) -> tuple[str, str]:
    try:
        context = widget.get_context(name, value, attrs)
    except TypeError:  # a value this widget never gets (a list for NullBooleanSelect)
        pytest.skip("not a value of this widget")
    fast = widget_html.render(widget.template_name, context)
    assert fast is not None, widget.template_name
    return fast, TEMPLATES.render(widget.template_name, context)


WIDGETS = [
    forms.TextInput(),
    forms.TextInput(attrs={"class": "form-control", "data-autosubmit": "", "required": True}),
    forms.NumberInput(attrs={"min": 1, "max": Decimal("10.5"), "step": "any"}),
    forms.EmailInput(),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.SearchInput(),
    forms.TelInput(),
    forms.ColorInput(),
    forms.DateInput(attrs={"type": "date"}),
    forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    forms.TimeInput(),
    forms.CheckboxInput(attrs={"disabled": False, "autofocus": True}),
    forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    forms.Textarea(attrs={"rows": 5, "placeholder": "“引号”<b>&"}),
    forms.Select(choices=[("", "全部"), ("a", "甲"), (1, 2), ("b", _("正常"))]),
    forms.Select(choices=[("s", mark_safe(_("<b>安全</b>"))), ("t", _("<未转义>"))]),
    forms.Select(
        choices=[("", "—"), ("分组<一>", [("x", "子<x>"), ("y", "子y")]), ("z", "单")],
        attrs={"class": "form-select is-invalid", "data-x": mark_safe("<i>")},
    ),
    forms.SelectMultiple(choices=[("a", "甲"), ("b", "乙"), ("c", "丙")]),
    forms.NullBooleanSelect(),
]

VALUES = [
    None,
    "",
    "plain",
    "<script>“中文”&amp;</script>",
    mark_safe("<b>safe</b>"),
    0,
    7,
    Decimal("3.50"),
    1.5,
    True,
    False,
    dt.date(2026, 11, 27),
    dt.datetime(2026, 11, 27, 8, 30),
    ["a", "c"],
    ("a",),
    "b",
    _("正常"),
    mark_safe(_("<i>安全</i>")),
]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_python_widgets_match_the_templates(widget, value):
    fast, reference = both(widget, "field", value, {"id": "id_field"})
    assert fast == reference


@settings(max_examples=200, deadline=None)
@given(
    value=st.one_of(st.none(), st.text(), st.integers()),
    label=st.text(),
    attr=st.one_of(st.text(), st.booleans(), st.integers(), st.none()),
)
def test_any_text_comes_out_as_the_templates_write_it(value, label, attr):
    for widget in (
        forms.TextInput(attrs={"data-x": attr}),
        forms.Textarea(attrs={"data-x": attr}),
        forms.Select(choices=[("", label), (value, label), ("g", [(label, value)])]),
    ):
        fast, reference = both(widget, "n<a>me", value)
        assert fast == reference


@pytest.mark.django_db
def test_model_choices_match_the_templates(django_user_model):
    from fengqiao.cases.models import Category

    field = forms.ModelChoiceField(queryset=Category.objects.all())
    chosen = Category.objects.order_by("pk").first()
    fast, reference = both(field.widget, "category", chosen.pk)
    assert fast == reference
    assert "selected" in fast


class OwnOption(forms.Select):
    option_template_name = "fengqiao/forms/field.html"  # any template not select_option.html


def test_an_option_with_its_own_template_is_left_to_the_templates():
    widget = OwnOption(choices=[("a", "甲")])
    context = widget.get_context("x", "a", None)
    assert widget_html.render(widget.template_name, context) is None


def test_other_widgets_are_left_to_the_templates():
    widget = forms.RadioSelect(choices=[("a", "甲")])
    assert widget_html.render(widget.template_name, widget.get_context("x", "a", None)) is None


def test_the_project_renderer_uses_the_python_widgets():
    class Filters(forms.Form):
        state = forms.ChoiceField(choices=[("", "全部"), ("open", "办理中")], required=False)
        q = forms.CharField(required=False)

    form = Filters({"state": "open", "q": "<漏水>"})
    html = form["state"].as_widget() + form["q"].as_widget()
    stock = Filters({"state": "open", "q": "<漏水>"}, renderer=TEMPLATES)
    assert html == stock["state"].as_widget() + stock["q"].as_widget()
    assert isinstance(
        FormRenderer().render(
            "django/forms/widgets/text.html",
            {"widget": forms.TextInput().get_context("q", "x", None)["widget"]},
        ),
        str,
    )
