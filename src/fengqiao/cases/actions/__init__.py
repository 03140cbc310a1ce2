"""Every write to a case. Views, the API and commands call these and nothing else.

Each transition goes through ``base.move``: one transaction, the case row locked, the
move checked against ``states.TRANSITIONS`` and the actor against ``access.may_take``,
then exactly one timeline event and one audit record; notifications leave after commit.

``register`` is intake (and correcting the facts before dispatch), ``flow`` the loop
from acceptance to verification, ``closing`` part 2's moves.
"""

from collections.abc import Callable

from ..models import Case
from ..states import Action
from .base import MAX_NARRATIVE, TRACKING_ALPHABET, handlers_of
from .closing import close_case, refer_out, reopen_case, shelve_case, start_revisit
from .flow import (
    GRADE_LEVEL,
    accept_case,
    add_co_handler,
    approve_extension,
    assess_case,
    complete_case,
    decline_case,
    default_handling_area,
    default_target,
    delegate_case,
    dispatch_case,
    escalate_case,
    mark_urgent,
    overrule_return,
    refuse_extension,
    request_extension,
    return_case,
    send_back,
    sign_for_case,
    start_handling,
    supervise_case,
    verify_case,
)
from .register import (
    FACTS_EDITABLE_STATES,
    add_attachment,
    link_cases,
    may_update_facts,
    register_case,
    update_case_facts,
)

# One entry per action, for the API and the pages that act by name.
ACTIONS: dict[Action, Callable[..., Case]] = {
    Action.ACCEPT: accept_case,
    Action.DECLINE: decline_case,
    Action.ASSESS: assess_case,
    Action.DISPATCH: dispatch_case,
    Action.SIGN_FOR: sign_for_case,
    Action.RETURN: return_case,
    Action.OVERRULE_RETURN: overrule_return,
    Action.ESCALATE: escalate_case,
    Action.DELEGATE: delegate_case,
    Action.ADD_CO_HANDLER: add_co_handler,
    Action.REQUEST_EXTENSION: request_extension,
    Action.APPROVE_EXTENSION: approve_extension,
    Action.REFUSE_EXTENSION: refuse_extension,
    Action.SUPERVISE: supervise_case,
    Action.MARK_URGENT: mark_urgent,
    Action.START_HANDLING: start_handling,
    Action.COMPLETE: complete_case,
    Action.VERIFY: verify_case,
    Action.SEND_BACK: send_back,
    Action.REVISIT: start_revisit,
    Action.CLOSE: close_case,
    Action.SHELVE: shelve_case,
    Action.REFER_OUT: refer_out,
    Action.REOPEN: reopen_case,
}

__all__ = [
    "ACTIONS",
    "FACTS_EDITABLE_STATES",
    "GRADE_LEVEL",
    "MAX_NARRATIVE",
    "TRACKING_ALPHABET",
    "accept_case",
    "add_attachment",
    "add_co_handler",
    "approve_extension",
    "assess_case",
    "close_case",
    "complete_case",
    "decline_case",
    "default_handling_area",
    "default_target",
    "delegate_case",
    "dispatch_case",
    "escalate_case",
    "handlers_of",
    "link_cases",
    "mark_urgent",
    "may_update_facts",
    "overrule_return",
    "refer_out",
    "refuse_extension",
    "register_case",
    "reopen_case",
    "request_extension",
    "return_case",
    "send_back",
    "shelve_case",
    "sign_for_case",
    "start_handling",
    "start_revisit",
    "supervise_case",
    "update_case_facts",
    "verify_case",
]
