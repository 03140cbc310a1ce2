"""The machinery every case write shares: ``move`` (the one door for transitions
of the state table), the timeline-and-audit pair, and small checks."""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.models import Assignment, Role
from fengqiao.analytics import facts
from fengqiao.areas.models import Area
from fengqiao.audit.log import LockedWith, record, record_refusal
from fengqiao.core.rows import Read, first_of, insert

from ..access import may_take
from ..errors import CaseError, ErrorCode
from ..models import (
    Case,
    TimelineEvent,
)
from ..notify import notify
from ..states import Action, State, next_state

TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read over the phone
MAX_NARRATIVE = 10000


def require_text(value: str, code: ErrorCode, message: str, limit: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise CaseError(code, message)
    if len(value) > limit:
        raise CaseError(ErrorCode.INVALID, f"内容过长（不超过 {limit} 字）。")
    return value


def check_choice(value: str, choices, label: str) -> str:
    if value not in choices.values:
        raise CaseError(ErrorCode.INVALID, f"{label}无效：{value}", field=label)
    return value


def write_event(
    case: Case,
    *,
    actor,
    action: str,
    from_state: str,
    note: str,
    data: dict,
    fact: dict | None = None,
    before_audit: Callable[[], LockedWith | None] | None = None,
) -> None:
    """The timeline event, the figures' upkeep and the audit record of a change, in the
    caller's transaction; ``fact``: what the caller already knows for the figures
    (``analytics.facts.case_writes``); ``before_audit``: work that must run as late as
    possible (a registration draws its number there); the writes it returns run in the
    round trip that locks the audit chain's head (PostgreSQL, ``audit.log.LockedWith``)."""
    # core.rows.insert: the ORM's save machinery cost more CPU than the statement.
    insert(
        TimelineEvent(
            case_id=case.pk,
            at=timezone.now(),
            actor_id=actor.pk if getattr(actor, "is_authenticated", False) else None,
            action=action,
            from_state=from_state,
            to_state=case.state,
            note=note,
            data=data,
        )
    )
    # Every registration, move and annotation passes here: the figures change with the
    # case, in its transaction (docs/adr/0005-figures-data-path.md). They are written
    # with the audit record: the roll-ups' rows are shared by many cases (a district's
    # month, a grid's day).
    figures = facts.case_writes(case, **(fact or {}))
    locked_with = before_audit() if before_audit is not None else None
    # The audit record locks the chain's head, which every writer needs, until the
    # commit; the shared roll-up rows are written in the record's own round trip, after
    # the head is locked, and are locked until the commit too. Every writer takes them
    # in this order, so a writer holding a roll-up row never waits for the head, and the
    # rows are held only while the head is. (Until session 5 a writer locked its roll-up
    # rows first and held them through its number, search row and audit record: the
    # next writer of the same grid and day, or district and month, waited all that time.)
    record(
        f"case.{action}",
        actor=actor,
        area=case.area,
        obj=case,
        # Read once the head is locked: a registration's number is drawn with the lock.
        detail=lambda: {"number": case.number, "from": from_state, "to": case.state},
        along=figures,
        locked_with=locked_with,
    )


def handlers_of(case: Case) -> list:
    """The users a case is dispatched to: the person, or the unit's members."""
    users = [case.current_handler] if case.current_handler_id else []
    if case.current_unit_id:
        users += [m.user for m in case.current_unit.members.select_related("user")]
    return users


def deciders_at(area: Area) -> list:
    """Leaders and intake officers placed exactly on ``area``: they dispatch there."""
    return [
        a.user
        for a in Assignment.objects.filter(
            area=area, role__in=[Role.LEADER, Role.INTAKE_OFFICER]
        ).select_related("user")
    ]


# The case row locked for a move, with what the checks and the figures read; compiled
# once (see core.rows.Read): on every move, compiling it cost more than running it.
_LOCKED = Read(
    lambda pk: first_of(
        Case.objects.select_for_update(of=("self",))
        .select_related("area", "handling_area", "current_unit", "category")
        .filter(pk=pk)
    ),
    int,
)

# A change applied to the locked case; returns the case fields it changed.
Change = Callable[[Case], list[str]]


def move(
    case: Case,
    *,
    actor,
    action: Action,
    note: str = "",
    data: dict | None = None,
    change: Change | None = None,
    tell: Callable[[Case], list] | None = None,
    text: str = "",
) -> Case:
    """The one door for every transition of the state table."""
    try:
        with transaction.atomic():
            locked = _LOCKED.first(case.pk)
            if locked is None:
                raise Case.DoesNotExist("Case matching query does not exist.")
            target = next_state(locked.state, action)
            if target is None:
                raise CaseError(
                    ErrorCode.TRANSITION_NOT_ALLOWED,
                    f"事项当前为“{State(locked.state).label}”，不能“{action.label}”。",
                )
            if not may_take(actor, locked, action):
                raise CaseError(ErrorCode.FORBIDDEN, f"您无权对该事项执行“{action.label}”。")
            from_state = locked.state
            fields = change(locked) if change else []
            locked.state = target
            locked.save(update_fields=sorted({*fields, "state", "updated_at"}))
            if tell is not None:
                notify(tell(locked), case=locked, kind=action, text=text or _default_text(locked))
            write_event(
                locked,
                actor=actor,
                action=action,
                from_state=from_state,
                note=note,
                data=data or {},
            )
    except CaseError as exc:
        if exc.code == ErrorCode.FORBIDDEN:
            # Recorded outside the rolled-back transaction so that the refusal stays.
            record_refusal(actor=actor, perm=f"case.{action}", obj=case)
        raise
    _copy_onto(case, locked)
    return locked


def _copy_onto(stale: Case, fresh: Case) -> None:
    """Refresh the caller's object so that it sees the new state."""
    stale.__dict__.update(fresh.__dict__)


def _default_text(case: Case) -> str:
    return f"事项 {case.number}「{case.title}」：{State(case.state).label}"
