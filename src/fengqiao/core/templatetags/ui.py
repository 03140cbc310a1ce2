"""Template helpers for the shared partials (pagination, key–value lists, form fields)."""

from django import template
from django.core.paginator import Page
from django.db.models import Model
from django.forms import BoundField, CheckboxInput

from fengqiao.core.forms import is_check, widget_class

register = template.Library()


@register.simple_tag
def elided_pages(page: Page) -> list:
    """Page numbers around the current one, with ``Paginator.ELLIPSIS`` in the gaps."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))


@register.simple_tag(takes_context=True)
def page_query(context, param: str, number: int) -> str:
    """The current query string with ``param`` set to ``number``, other filters kept."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()


@register.inclusion_tag("partials/detail_list.html")
def detail_list(obj: Model, *field_names: str) -> dict:
    """A key–value list of a model's fields: verbose names and display values."""
    items = []
    for name in field_names:
        field = obj._meta.get_field(name)
        display = getattr(obj, f"get_{name}_display", None)
        value = display() if callable(display) else getattr(obj, name)
        items.append((field.verbose_name, value))
    return {"items": items}


@register.filter
def styled(field: BoundField) -> str:
    """Render a bound field's widget with its Tabler class (and ``is-invalid`` on error)."""
    classes = field.field.widget.attrs.get("class", "").split()
    classes.append(widget_class(field.field.widget))
    if field.errors:
        classes.append("is-invalid")
    return field.as_widget(attrs={"class": " ".join(dict.fromkeys(classes))})


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, CheckboxInput)


@register.filter
def is_choice_list(field: BoundField) -> bool:
    """Radio buttons or checkboxes for several choices (rendered in a fieldset)."""
    return is_check(field.field.widget) and not is_checkbox(field)
