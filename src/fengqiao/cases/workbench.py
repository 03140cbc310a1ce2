"""The workbench's case section: the user's to-do list (``queries.todo_for``) grouped by
the step that waits, with deadline lights, and the counts for the navigation badges.

Lights come from the due instants stored at dispatch, so that a list of any length
costs no calendar reads; the case page computes the exact light.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.areas import access
from fengqiao.areas.access import Perm

from . import queries
from .deadlines import Light
from .models import Case, ExtensionStatus, Notification
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
]
_GROUP_OF_STATE = {state: key for key, _label, states in GROUPS for state in states}


@dataclass
class TodoGroup:
    key: str
    label: str
    cases: list = field(default_factory=list)


def stored_light(case: Case, now: dt.datetime) -> Light | None:
    """The case's light from its stored due instants (sign-for overdue reads yellow)."""
    if case.state not in CLOCK_STATES or case.due_at is None:
        return None
    if case.red_at is not None and now >= case.red_at:
        return Light.RED
    if now >= case.due_at:
        return Light.YELLOW
    if case.state == State.DISPATCHED and case.sign_due_at and now >= case.sign_due_at:
        return Light.YELLOW
    if case.warning_at is not None and now >= case.warning_at:
        return Light.WARNING
    return Light.NORMAL


def _group_key(user, case: Case, pending: set[int]) -> str:
    if case.pk in pending and access.has_perm(user, Perm.CASE_SUPERVISE, case.handling_area):
        return "extension"
    return _GROUP_OF_STATE.get(case.state, "handle")


def todo_for(user, limit: int = LIMIT, now: dt.datetime | None = None) -> list[TodoGroup]:
    """The user's to-do list in groups, each urgent first and then by deadline."""
    now = now or timezone.now()
    cases = list(
        queries.todo_for(user).select_related(
            "area", "handling_area", "category", "current_unit", "current_handler"
        )[:limit]
    )
    if not cases:
        return []
    pending = set(
        Case.objects.filter(
            pk__in=[c.pk for c in cases], extensions__status=ExtensionStatus.REQUESTED
        ).values_list("pk", flat=True)
    )
    groups = {key: TodoGroup(key, label) for key, label, _states in GROUPS}
    for case in cases:
        case.light = stored_light(case, now)
        groups[_group_key(user, case, pending)].cases.append(case)
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


def count_for(user) -> int:
    """How many cases wait for the user (the navigation badge), counted up to LIMIT."""
    if not getattr(user, "is_authenticated", False) or not has_case_duties(user):
        return 0
    return queries.todo_for(user).order_by().values("pk")[:LIMIT].count()


def unread_count(user) -> int:
    """Unread notifications of the user (the inbox badge), counted up to BADGE_CAP + 1."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True)[
        : BADGE_CAP + 1
    ].count()


def panels_for(request) -> list[dict]:
    """The home page's case panels, in the shape of ``core.workbench.panels_for``."""
    context = panel_context(request)
    return (
        [] if context is None else [{"template": "cases/_workbench_panel.html", "context": context}]
    )
