"""Part 2's moves (revisit, close, shelve, refer out, reopen): for now plain moves
with a note; part 2 adds revisits and the case file."""

from collections.abc import Callable

from django.utils import timezone

from ..errors import ErrorCode
from ..models import (
    Case,
)
from ..states import Action
from .base import (
    handlers_of,
    move,
    require_text,
)
from .flow import restart_handling_clock

# --- Part 2's moves, for now plain moves with a note ---------------------------------


def start_revisit(*, actor, case: Case, note: str = "") -> Case:
    """转入回访."""
    return move(case, actor=actor, action=Action.REVISIT, note=note)


# Checks another app registers (e.g. mediation: revisits done or waived); each raises a
# CaseError to refuse the close, inside the close's transaction with the case locked.
CLOSE_GUARDS: list[Callable[[Case], None]] = []


def close_case(*, actor, case: Case, note: str = "") -> Case:
    """结案, once every registered guard agrees."""

    def change(c: Case) -> list[str]:
        for guard in CLOSE_GUARDS:
            guard(c)
        c.closed_at = timezone.now()
        return ["closed_at"]

    return move(case, actor=actor, action=Action.CLOSE, note=note, change=change)


def _with_reason(action: Action, message: str):
    def act(*, actor, case: Case, note: str) -> Case:
        def change(c: Case) -> list[str]:
            require_text(note, ErrorCode.REASON_REQUIRED, message)
            if action == Action.REOPEN:
                c.closed_at = None
                return ["closed_at", *restart_handling_clock(c)]
            return []

        return move(case, actor=actor, action=action, note=note, change=change, tell=handlers_of)

    act.__doc__ = f"{action.label}（须说明理由）."
    return act


shelve_case = _with_reason(Action.SHELVE, "挂账须说明理由。")
refer_out = _with_reason(Action.REFER_OUT, "转法定途径须说明去向和理由。")
reopen_case = _with_reason(Action.REOPEN, "重新办理须说明理由。")
