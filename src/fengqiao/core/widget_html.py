"""The HTML of Django's plain widgets (inputs, textareas, selects), written in Python.

Django renders every widget through templates, and a select through one included
template per option and another per option's attributes: a city leader's case filters
(≈ 400 options) cost ≈ 40 ms of CPU that way (bench/README.md, finding 5). These
functions give the same bytes as Django's built-in templates for the same context
(stripped, as the form renderer returns them);
``tests/core/test_widget_html.py`` compares them. Anything unusual (an option with
its own template) goes back to the templates.
"""

from collections.abc import Callable
from html import escape  # django.utils.html.escape is this, plus a lazy-string wrapper

from django.template import Context
from django.template.base import render_value_in_context
from django.utils.functional import Promise
from django.utils.safestring import SafeData

WIDGETS = "django/forms/widgets/"
OPTION_TEMPLATE = WIDGETS + "select_option.html"

# What ``{{ value }}`` does in the form renderer's templates (autoescape on, no
# localisation settings of its own).
_CONTEXT = Context()


def _text(value) -> str:
    """``{{ value }}``."""
    if type(value) is str:  # the common case; plain str needs no localising
        return escape(value)
    if isinstance(value, Promise):  # a translated label: not localised either
        text = str(value)
        return text if isinstance(text, SafeData) else escape(text)
    return render_value_in_context(value, _CONTEXT)


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: safe input stays unescaped."""
    kind = type(value)
    if kind is str:
        return escape(value)
    if kind is int:  # digits and a sign: nothing to escape
        return str(value)
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031 — the filter's own formatting
    except (ValueError, TypeError):
        text = ""
    # Then autoescaped, unless the filter kept the input's safety or "%s" returned a
    # safe string itself (it returns str(value) unchanged, e.g. for a lazy safe string).
    return text if isinstance(value, SafeData) or hasattr(text, "__html__") else escape(text)


def attrs_html(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``."""
    if not attrs:
        return ""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {_text(name)}")
        else:
            out.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value != None else ""  # noqa: E711 — as {% if %}
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{attrs_html(widget['attrs'])}>"
    )


def input_html(context: dict) -> str:
    """``input.html``, and ``text.html``, ``number.html`` … which include it."""
    return _input(context["widget"])


def textarea_html(context: dict) -> str:
    widget = context["widget"]
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{attrs_html(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


def _option(option: dict) -> str:
    return (
        f'<option value="{_formatted(option["value"])}"{attrs_html(option["attrs"])}>'
        f"{_text(option['label'])}</option>\n"
    )


def select_html(context: dict) -> str | None:
    """``select.html`` with ``select_option.html``; None if an option has another template."""
    widget = context["widget"]
    out = [f'<select name="{_text(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            out.append("\n  " + _option(option))
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


INCLUDING_INPUT = (
    "checkbox color date datetime email file hidden number password search tel text time url"
)

RENDERERS: dict[str, Callable[[dict], str | None]] = {
    WIDGETS + "input.html": input_html,
    WIDGETS + "textarea.html": textarea_html,
    WIDGETS + "select.html": select_html,
    **{f"{WIDGETS}{name}.html": input_html for name in INCLUDING_INPUT.split()},
}


def render(template_name: str, context: dict) -> str | None:
    """The widget's HTML, or None when the template has to render it."""
    fast = RENDERERS.get(template_name)
    return fast(context) if fast is not None else None
