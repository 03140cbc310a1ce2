"""Badges for the case pages (state, risk, grade, the deadline light) and the case
page's address for long lists."""

from functools import lru_cache
from html import escape

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.deadlines import Light
from fengqiao.cases.models import Risk
from fengqiao.cases.states import Action, State

register = template.Library()

LIGHTS = {
    Light.NORMAL: ("green", _("正常")),
    Light.WARNING: ("orange", _("预警")),
    Light.YELLOW: ("yellow", _("黄牌")),
    Light.RED: ("red", _("红牌")),
}
RISK_COLOURS = {Risk.RED: "red", Risk.ORANGE: "orange", Risk.YELLOW: "yellow", Risk.BLUE: "blue"}
STATE_COLOURS = {
    State.REGISTERED: "secondary",
    State.ACCEPTED: "cyan",
    State.DECLINED: "dark",
    State.ASSESSED: "indigo",
    State.DISPATCHED: "blue",
    State.SIGNED_FOR: "azure",
    State.RETURNED: "orange",
    State.IN_PROGRESS: "teal",
    State.COMPLETED: "lime",
    State.SENT_BACK: "orange",
    State.VERIFIED: "green",
    State.REVISITING: "purple",
    State.CLOSED: "green",
    State.SHELVED: "dark",
    State.REFERRED_OUT: "dark",
}
# The labels by value: ``get_state_display()`` rebuilds a hashable copy of the choices on
# every call, for every row of a list.
STATE_LABELS = dict(State.choices)
RISK_LABELS = dict(Risk.choices)


@register.simple_tag
def light_badge(light) -> str:
    """The deadline light as a coloured badge with its word (never colour alone)."""
    if not light:
        return ""
    colour, label = LIGHTS[Light(light)]
    return format_html(
        '<span class="badge bg-{}-lt fq-light fq-light-{}" data-light="{}">'
        '<span class="fq-dot bg-{}" aria-hidden="true"></span>{}</span>',
        colour,
        light,
        light,
        colour,
        label,
    )


@register.simple_tag
def state_badge(case) -> str:
    colour = STATE_COLOURS.get(case.state, "secondary")
    return format_html(
        '<span class="badge bg-{}-lt" data-state="{}">{}</span>',
        colour,
        case.state,
        STATE_LABELS.get(case.state, case.state),
    )


@register.simple_tag
def risk_badge(case) -> str:
    if not case.risk:
        return ""
    return format_html(
        '<span class="badge bg-{}-lt">{}{}</span>',
        RISK_COLOURS[case.risk],
        RISK_LABELS.get(case.risk, case.risk),
        _("色风险"),
    )


OTHER_EVENTS = {
    "register": _("登记"),
    "link": _("关联事项"),
    "attach": _("上传附件"),
    "update_facts": _("更正事项情况"),
}


@register.filter
def event_label(event) -> str:
    """The Chinese name of a timeline event's action."""
    if event.action in OTHER_EVENTS:
        return OTHER_EVENTS[event.action]
    try:
        return Action(event.action).label
    except ValueError:
        return event.action


_PLACEHOLDER = "987654321987654321"  # a key that no other part of the address contains


@lru_cache(maxsize=8)
def _detail_address(prefix: str, urlconf: str) -> tuple[str, str]:
    url = reverse("cases:detail", args=[_PLACEHOLDER], urlconf=urlconf)
    head, _, tail = url.partition(_PLACEHOLDER)
    return head, tail


@register.filter
def case_url(pk) -> str:
    """``{% url 'cases:detail' pk %}`` with one ``reverse`` per process instead of one
    per row (≈ 30 µs each: a to-do list holds up to 200 rows)."""
    head, tail = _detail_address(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return f"{head}{int(pk)}{tail}"


_ROW_BREAK = "\n          "  # between the cells, as the list template indents them


@register.simple_tag
def case_row(c) -> SafeString:
    """One row of the case list (``cases/_list_results.html``), written in Python: about
    twenty template nodes per row were a fifth of a list page's CPU. The same bytes as
    the template it replaced (tests/cases_pages/test_list_rows.py compares them)."""
    light = c.light
    urgent = f'<span class="badge bg-red-lt me-1">{escape(gettext("急"))}</span>'
    due = c.due_at
    if c.current_unit_id is not None:
        handler = escape(c.current_unit.name)
    elif c.current_handler_id is not None:
        handler = escape(str(c.current_handler))
    else:
        handler = '<span class="text-secondary">—</span>'
    cells = [
        f'<td><a class="font-monospace" href="{case_url(c.pk)}">{escape(c.number)}</a>'
        f'<div class="small text-secondary">{_local(c.created_at, "%Y-%m-%d %H:%M")}</div></td>',
        f'<td class="text-wrap fq-title-col">{urgent if c.is_urgent else ""}'
        f"{escape(c.title)} {risk_badge(c)}</td>",
        f"<td>{state_badge(c)}</td>",
        f"<td>{light_badge(light)}"
        + (f'<div class="small text-secondary">{_local(due, "%m-%d %H:%M")}</div>' if due else "")
        + "</td>",
        f"<td>{escape(c.category.name)}</td>",
        f"<td>{escape(c.area.name)}</td>",
        f"<td>{handler}</td>",
    ]
    opening = f'<tr class="fq-case-row{f" fq-{escape(str(light))}" if light else ""}">'
    return mark_safe(  # noqa: S308 — every value above is escaped
        opening + _ROW_BREAK + _ROW_BREAK.join(cells) + "\n        </tr>"
    )


def _local(instant, pattern: str) -> str:
    return timezone.localtime(instant).strftime(pattern)
