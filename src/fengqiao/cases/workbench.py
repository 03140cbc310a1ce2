"""Each user's to-do list (待办): the cases waiting for an action the user may take.

One query selects every waiting case the user may act on, whatever the roles: the
conditions mirror ``states.ACTION_PERMS`` and ``access.may_take`` (the permission on the
handling level; for handling, being one of the handlers). Rows are grouped in Python and
sorted by urgency, then by deadline. Lights come from the stored due instants, so that a
list costs no calendar reads.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.units.models import Unit

from .deadlines import Light
from .models import Case, ExtensionStatus, Notification, Urgency
from .states import CLOCK_STATES, State

LIMIT = 200


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    perm: str  # on the handling level; CASE_HANDLE means "is a handler"
    states: tuple[State, ...]
    pending_extension: bool = False


GROUPS = [
    Group("accept", _("待受理"), Perm.CASE_ACCEPT, (State.REGISTERED,)),
    Group("assess", _("待研判定级"), Perm.CASE_ASSESS, (State.ACCEPTED,)),
    Group("dispatch", _("待派单"), Perm.CASE_DISPATCH, (State.ASSESSED,)),
    Group("returned", _("退单待处理"), Perm.CASE_DISPATCH, (State.RETURNED,)),
    Group(
        "extension",
        _("延期待审批"),
        Perm.CASE_SUPERVISE,
        (State.SIGNED_FOR, State.IN_PROGRESS),
        pending_extension=True,
    ),
    Group("verify", _("待核查"), Perm.CASE_VERIFY, (State.COMPLETED,)),
    Group("close", _("待回访结案"), Perm.CASE_VERIFY, (State.VERIFIED, State.REVISITING)),
    Group("sign_for", _("待签收"), Perm.CASE_HANDLE, (State.DISPATCHED,)),
    Group(
        "handle",
        _("办理中"),
        Perm.CASE_HANDLE,
        (State.SIGNED_FOR, State.IN_PROGRESS, State.SENT_BACK),
    ),
]


def _handler_q(user) -> Q:
    units = Unit.objects.of_user(user).values("pk")
    return (
        Q(current_handler=user)
        | Q(current_unit__in=units)
        | Q(co_handlers__user=user)
        | Q(co_handlers__unit__in=units)
    )


def _group_q(user, group: Group) -> Q | None:
    superuser = getattr(user, "is_superuser", False)
    if group.perm == Perm.CASE_HANDLE:
        if not superuser and not access.has_perm(user, Perm.CASE_HANDLE):
            return None
        q = _handler_q(user) & access.scope_q(user, Perm.CASE_HANDLE, "area_path")
    else:
        if not access.has_perm(user, group.perm):
            return None
        q = access.scope_q(user, group.perm, "handling_area_path")
    q &= Q(state__in=group.states)
    if group.pending_extension:
        q &= Q(extensions__status=ExtensionStatus.REQUESTED)
    return q


def waiting_q(user) -> Q | None:
    """Every case waiting for ``user``; None when the user has no case duties."""
    parts = [q for g in GROUPS if (q := _group_q(user, g)) is not None]
    if not parts:
        return None
    combined = parts[0]
    for q in parts[1:]:
        combined |= q
    return combined


_URGENCY_RANK = SqlCase(
    When(is_urgent=True, then=Value(0)),
    When(urgency=Urgency.HIGH, then=Value(1)),
    When(urgency=Urgency.MEDIUM, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def waiting_cases(user):
    """The waiting cases, most urgent and soonest due first."""
    q = waiting_q(user)
    if q is None:
        return Case.objects.none()
    return (
        Case.objects.filter(q)
        .distinct()
        .annotate(urgency_rank=_URGENCY_RANK)
        .order_by("urgency_rank", "due_at", "created_at")
    )


def count_for(user) -> int:
    """How many cases wait for the user (for the navigation badge); capped at LIMIT."""
    if not getattr(user, "is_authenticated", False):
        return 0
    q = waiting_q(user)
    if q is None:
        return 0
    return Case.objects.filter(q).distinct().values("pk")[:LIMIT].count()


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


@dataclass
class TodoGroup:
    key: str
    label: str
    cases: list = field(default_factory=list)


def _fits(user, group: Group, case: Case, mine: set[int], pending: set[int]) -> bool:
    """Does the case belong in ``group``? ``mine``: ids of cases the user handles."""
    if case.state not in group.states:
        return False
    if group.pending_extension and case.pk not in pending:
        return False
    if group.perm == Perm.CASE_HANDLE:
        return case.pk in mine
    return access.has_perm(user, group.perm, case.handling_area)


def todo_for(user, limit: int = LIMIT, now: dt.datetime | None = None) -> list[TodoGroup]:
    """The user's to-do list, grouped; each case appears in the first group it fits."""
    now = now or timezone.now()
    cases = list(
        waiting_cases(user).select_related(
            "area", "handling_area", "category", "current_unit", "current_handler"
        )[:limit]
    )
    if not cases:
        return []
    ids = [c.pk for c in cases]
    pending = set(
        Case.objects.filter(pk__in=ids, extensions__status=ExtensionStatus.REQUESTED).values_list(
            "pk", flat=True
        )
    )
    mine = set(
        Case.objects.filter(pk__in=ids).filter(_handler_q(user)).values_list("pk", flat=True)
    )
    groups = {g.key: TodoGroup(g.key, g.label) for g in GROUPS}
    for case in cases:
        case.light = stored_light(case, now)
        for group in GROUPS:
            if _fits(user, group, case, mine, pending):
                groups[group.key].cases.append(case)
                break
    return [g for g in groups.values() if g.cases]


def panel_context(request) -> dict | None:
    """The workbench panel on the home page; None for users without case duties."""
    if waiting_q(request.user) is None:
        return None
    groups = todo_for(request.user, limit=50)
    return {"groups": groups, "total": sum(len(g.cases) for g in groups)}


def unread_count(user) -> int:
    """Unread notifications of the user (for the navigation badge); capped at 99+1."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True)[:100].count()
