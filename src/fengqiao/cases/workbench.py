"""The workbench's case section: the user's to-do list (``queries.todo_for``) grouped by
the step that waits, with deadline lights, and the counts for the navigation badges.

Lights come from the due instants stored when a clock starts (dispatch, send-back,
reopening, completion), so that a list of any length costs no calendar reads; the case
page computes the exact light.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.core import shell
from fengqiao.units.models import Unit

from . import queries
from .deadlines import Light
from .models import Case, CoHandler, Extension, ExtensionStatus, Notification
from .states import CLOCK_STATES, State

LIMIT = 200
BADGE_CAP = 99

# The step that waits, by state, in the order the groups are shown.
GROUPS: list[tuple[str, str, tuple[State, ...]]] = [
    ("accept", _("待受理"), (State.REGISTERED,)),
    ("assess", _("待研判定级"), (State.ACCEPTED,)),
    ("dispatch", _("待派单"), (State.ASSESSED,)),
    ("returned", _("退单待处理"), (State.RETURNED,)),
    ("extension", _("延期待审批"), ()),
    ("verify", _("待核查"), (State.COMPLETED,)),
    ("sign_for", _("待签收"), (State.DISPATCHED,)),
    ("handle", _("办理中"), (State.SIGNED_FOR, State.IN_PROGRESS, State.SENT_BACK)),
    ("revisit", _("待转入回访"), (State.VERIFIED,)),
    ("co_handle", _("协办事项"), ()),
]
_GROUP_OF_STATE = {state: key for key, _label, states in GROUPS for state in states}

# The centre's step on a case in each state, and the permission it needs there.
_CENTRE_STEP = {
    State.REGISTERED: (Perm.CASE_ACCEPT, _("受理")),
    State.ACCEPTED: (Perm.CASE_ASSESS, _("研判定级")),
    State.ASSESSED: (Perm.CASE_DISPATCH, _("派单")),
    State.RETURNED: (Perm.CASE_DISPATCH, _("处理退单")),
    State.COMPLETED: (Perm.CASE_VERIFY, _("核查")),
}
# What the handler is asked to do, by state, after saying how the case reached them.
_HANDLER_STEP = {
    State.DISPATCHED: _("待签收"),
    State.SIGNED_FOR: _("待开始办理"),
    State.IN_PROGRESS: _("办理中"),
    State.SENT_BACK: _("核查退回，须重新办理"),
    State.VERIFIED: _("已核查，由您转入回访"),
}


@dataclass
class TodoGroup:
    key: str
    label: str
    cases: list = field(default_factory=list)


def _light_of(now: dt.datetime, warning, due, red, sign_due=None) -> Light | None:
    if due is None:
        return None
    if red is not None and now >= red:
        return Light.RED
    if now >= due or (sign_due is not None and now >= sign_due):
        return Light.YELLOW
    if warning is not None and now >= warning:
        return Light.WARNING
    return Light.NORMAL


def stored_light(case: Case, now: dt.datetime) -> Light | None:
    """The case's light from its stored due instants: the verification clock once
    completed, else the handling clock (sign-for overdue reads yellow)."""
    if case.state == State.COMPLETED:
        return _light_of(now, case.verify_warning_at, case.verify_due_at, case.verify_red_at)
    if case.state not in CLOCK_STATES:
        return None
    sign_due = case.sign_due_at if case.state == State.DISPATCHED else None
    return _light_of(now, case.warning_at, case.due_at, case.red_at, sign_due)


@dataclass
class _Ties:
    """What links the user to the listed cases, read once for the whole list."""

    units: dict[int, str]  # the user's units: id → name
    co_units: dict[int, int]  # case id → the user's unit co-handling it
    co_user: set[int]  # cases the user co-handles in person
    pending: dict[int, int]  # case id → working days of its pending extension request

    @classmethod
    def read(cls, user, cases: list[Case]) -> "_Ties":
        ids = [c.pk for c in cases]
        units = dict(Unit.objects.of_user(user).values_list("pk", "name"))
        co_units, co_user = {}, set()
        rows = CoHandler.objects.filter(case_id__in=ids).filter(
            Q(user=user) | Q(unit_id__in=list(units))
        )
        for case_id, unit_id, user_id in rows.values_list("case_id", "unit_id", "user_id"):
            if user_id == user.pk:
                co_user.add(case_id)
            if unit_id in units:
                co_units[case_id] = unit_id
        pending = dict(
            Extension.objects.filter(case_id__in=ids, status=ExtensionStatus.REQUESTED).values_list(
                "case_id", "days"
            )
        )
        return cls(units, co_units, co_user, pending)


def _place(user, case: Case, ties: _Ties) -> tuple[str, str]:
    """The group a case goes in on the user's list, and why it is there."""
    area = case.handling_area
    if (
        case.pk in ties.pending
        and case.state in queries.EXTENDABLE_STATES
        and access.has_perm(user, Perm.CASE_SUPERVISE, area)
    ):
        reason = _("申请延期 %(days)s 个工作日，待您审批") % {"days": ties.pending[case.pk]}
        return "extension", reason
    group = _GROUP_OF_STATE.get(case.state, "handle")
    if case.state in _CENTRE_STEP:
        perm, step = _CENTRE_STEP[case.state]
        if access.has_perm(user, perm, area):
            return group, _("由%(area)s办理，待您%(step)s") % {"area": area.name, "step": step}
    step = _HANDLER_STEP.get(case.state, "")
    if case.current_handler_id == user.pk:
        return group, _("派给您本人 · %(step)s") % {"step": step}
    if case.current_unit_id in ties.units:
        unit = ties.units[case.current_unit_id]
        return group, _("派给您所在的%(unit)s · %(step)s") % {"unit": unit, "step": step}
    if case.pk in ties.co_units:
        unit = ties.units[ties.co_units[case.pk]]
        return "co_handle", _("您所在的%(unit)s协办 · %(step)s") % {"unit": unit, "step": step}
    if case.pk in ties.co_user:
        return "co_handle", _("您是协办人 · %(step)s") % {"step": step}
    return group, ""


def todo_for(user, limit: int = LIMIT, now: dt.datetime | None = None) -> list[TodoGroup]:
    """The user's to-do list in groups, each urgent first and then by deadline; each
    case carries its light and the reason it is on the list (``todo_reason``)."""
    now = now or timezone.now()
    cases = list(
        queries.todo_for(user).select_related(
            "area", "handling_area", "category", "current_unit", "current_handler"
        )[:limit]
    )
    if not cases:
        return []
    ties = _Ties.read(user, cases)
    groups = {key: TodoGroup(key, label) for key, label, _states in GROUPS}
    for case in cases:
        case.light = stored_light(case, now)
        key, case.todo_reason = _place(user, case, ties)
        groups[key].cases.append(case)
    return [g for g in groups.values() if g.cases]


def has_case_duties(user) -> bool:
    return any(
        access.has_perm(user, p)
        for p in (Perm.CASE_ACCEPT, Perm.CASE_ASSESS, Perm.CASE_HANDLE, Perm.CASE_SUPERVISE)
    )


def panel_context(request) -> dict | None:
    """The to-do panel on the home page; None when nothing waits for the user."""
    if not has_case_duties(request.user):
        return None
    groups = todo_for(request.user, limit=50)
    if not groups:
        return None  # the home page says "nothing to do" itself
    return {"groups": groups, "total": count_for(request.user)}


def todo_rows(user) -> QuerySet | None:
    """The cases the to-do badge counts (up to LIMIT), or None without case duties:
    ``queries.todo_q`` with subqueries, so that the badge is part of the one statement
    that reads the layout's badges and roles (``core.shell``)."""
    if not getattr(user, "is_authenticated", False) or not has_case_duties(user):
        return None
    return (
        Case.objects.filter(queries.todo_q(user, subqueries=True)).order_by().values("pk")[:LIMIT]
    )


def unread_rows(user) -> QuerySet | None:
    """The unread notifications the inbox badge counts (up to BADGE_CAP + 1)."""
    if not getattr(user, "is_authenticated", False):
        return None
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    return unread.order_by().values("pk")[: BADGE_CAP + 1]


# Every permission ``todo_rows`` asks about: with the user's id, all its statement
# depends on.
_TODO_PERMS = (
    *(perm for perm, _states in queries._CENTRE_STEPS),
    Perm.CASE_SUPERVISE,
    Perm.CASE_HANDLE,
)


def todo_badge(user) -> shell.Column | int:
    """The to-do badge as a column of the shell's statement, compiled once per user and
    set of grants (``shell.count_once``)."""
    grants = tuple(tuple(access.area_paths_for(user, perm)) for perm in _TODO_PERMS)
    return shell.count_once(("todo", user.pk, grants), lambda: todo_rows(user))


def unread_badge(user) -> shell.Column | int:
    """The inbox badge as a column of the shell's statement, compiled once per user."""
    return shell.count_once(("unread", user.pk), lambda: unread_rows(user))


def count_for(user) -> int:
    """How many cases wait for the user (the navigation badge), counted up to LIMIT."""
    rows = todo_rows(user)
    return 0 if rows is None else rows.count()
