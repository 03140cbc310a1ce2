"""The closed loop as plain data: the states of a case, the actions that move it, and
which permission each action needs. ``actions.base.move`` refuses anything not listed here.

受理 → 研判/定级 → 派单 → 签收 | 退单 → 办理 (延期, 督办, 加急) → 办结 → 核查 | 退回
→ 回访 → 结案 | 挂账 | 转法定途径; a failed revisit reopens a closed case.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.areas.access import Perm


class State(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ACCEPTED = "accepted", _("已受理")
    DECLINED = "declined", _("不予受理")
    ASSESSED = "assessed", _("已研判")
    DISPATCHED = "dispatched", _("已派单")
    SIGNED_FOR = "signed_for", _("已签收")
    RETURNED = "returned", _("已退单")
    IN_PROGRESS = "in_progress", _("办理中")
    COMPLETED = "completed", _("已办结")
    SENT_BACK = "sent_back", _("核查退回")
    VERIFIED = "verified", _("已核查")
    REVISITING = "revisiting", _("回访中")
    CLOSED = "closed", _("已结案")
    SHELVED = "shelved", _("挂账")
    REFERRED_OUT = "referred_out", _("转法定途径")


class Action(models.TextChoices):
    ACCEPT = "accept", _("受理")
    DECLINE = "decline", _("不予受理")
    ASSESS = "assess", _("研判定级")
    DISPATCH = "dispatch", _("派单")
    SIGN_FOR = "sign_for", _("签收")
    RETURN = "return", _("退单")
    OVERRULE_RETURN = "overrule_return", _("驳回退单")
    ESCALATE = "escalate", _("上报")
    DELEGATE = "delegate", _("下派")
    ADD_CO_HANDLER = "add_co_handler", _("增加协办")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    APPROVE_EXTENSION = "approve_extension", _("批准延期")
    REFUSE_EXTENSION = "refuse_extension", _("驳回延期")
    SUPERVISE = "supervise", _("督办")
    MARK_URGENT = "mark_urgent", _("加急")
    START_HANDLING = "start_handling", _("开始办理")
    COMPLETE = "complete", _("办结反馈")
    VERIFY = "verify", _("核查通过")
    SEND_BACK = "send_back", _("核查退回")
    REVISIT = "revisit", _("转入回访")
    CLOSE = "close", _("结案")
    SHELVE = "shelve", _("挂账")
    REFER_OUT = "refer_out", _("转法定途径")
    REOPEN = "reopen", _("重新办理")


S, A = State, Action

# Actions that annotate an open case without moving it (督办, 加急, 协办, 延期).
_WHILE_HANDLING = (A.ADD_CO_HANDLER, A.SUPERVISE, A.MARK_URGENT)
_EXTENSIONS = (A.REQUEST_EXTENSION, A.APPROVE_EXTENSION, A.REFUSE_EXTENSION)


def _stay(state: State, actions: tuple[Action, ...]) -> dict[Action, State]:
    return dict.fromkeys(actions, state)


TRANSITIONS: dict[State, dict[Action, State]] = {
    S.REGISTERED: {A.ACCEPT: S.ACCEPTED, A.DECLINE: S.DECLINED},
    S.ACCEPTED: {A.ASSESS: S.ASSESSED, A.REFER_OUT: S.REFERRED_OUT},
    S.DECLINED: {},
    S.ASSESSED: {
        A.ASSESS: S.ASSESSED,
        A.DISPATCH: S.DISPATCHED,
        A.ESCALATE: S.ASSESSED,
        A.DELEGATE: S.ASSESSED,
        A.MARK_URGENT: S.ASSESSED,
        A.REFER_OUT: S.REFERRED_OUT,
    },
    S.DISPATCHED: {
        A.SIGN_FOR: S.SIGNED_FOR,
        A.RETURN: S.RETURNED,
        **_stay(S.DISPATCHED, _WHILE_HANDLING),
    },
    S.RETURNED: {
        A.OVERRULE_RETURN: S.DISPATCHED,
        A.DISPATCH: S.DISPATCHED,
        A.ESCALATE: S.ASSESSED,
        A.DELEGATE: S.ASSESSED,
        A.MARK_URGENT: S.RETURNED,
        A.SUPERVISE: S.RETURNED,
    },
    S.SIGNED_FOR: {
        A.START_HANDLING: S.IN_PROGRESS,
        A.ESCALATE: S.ASSESSED,
        **_stay(S.SIGNED_FOR, _WHILE_HANDLING),
        **_stay(S.SIGNED_FOR, _EXTENSIONS),
    },
    S.IN_PROGRESS: {
        A.COMPLETE: S.COMPLETED,
        A.ESCALATE: S.ASSESSED,
        A.SHELVE: S.SHELVED,
        A.REFER_OUT: S.REFERRED_OUT,
        **_stay(S.IN_PROGRESS, _WHILE_HANDLING),
        **_stay(S.IN_PROGRESS, _EXTENSIONS),
    },
    S.COMPLETED: {A.VERIFY: S.VERIFIED, A.SEND_BACK: S.SENT_BACK},
    S.SENT_BACK: {
        A.START_HANDLING: S.IN_PROGRESS,
        A.SUPERVISE: S.SENT_BACK,
        A.MARK_URGENT: S.SENT_BACK,
    },
    S.VERIFIED: {A.REVISIT: S.REVISITING, A.CLOSE: S.CLOSED},
    S.REVISITING: {
        A.CLOSE: S.CLOSED,
        A.REOPEN: S.IN_PROGRESS,
        A.SHELVE: S.SHELVED,
        A.REFER_OUT: S.REFERRED_OUT,
    },
    S.CLOSED: {A.REOPEN: S.IN_PROGRESS},
    S.SHELVED: {A.REOPEN: S.IN_PROGRESS},
    S.REFERRED_OUT: {},
}

OPEN_STATES = frozenset(s for s in State if s not in {S.DECLINED, S.CLOSED, S.REFERRED_OUT})
FINAL_STATES = frozenset({S.DECLINED, S.CLOSED, S.REFERRED_OUT, S.SHELVED})
# States in which the handling clock runs (it starts at dispatch, not at sign-for).
CLOCK_STATES = frozenset({S.DISPATCHED, S.RETURNED, S.SIGNED_FOR, S.IN_PROGRESS, S.SENT_BACK})

# Who may take each action. A handling permission also requires the user to be one of
# the case's handlers (the dispatched person, a member of the unit, or a co-handler).
ACTION_PERMS: dict[Action, frozenset[str]] = {
    A.ACCEPT: frozenset({Perm.CASE_ACCEPT}),
    A.DECLINE: frozenset({Perm.CASE_ACCEPT}),
    A.ASSESS: frozenset({Perm.CASE_ASSESS}),
    A.DISPATCH: frozenset({Perm.CASE_DISPATCH}),
    A.OVERRULE_RETURN: frozenset({Perm.CASE_DISPATCH}),
    A.ADD_CO_HANDLER: frozenset({Perm.CASE_DISPATCH}),
    A.DELEGATE: frozenset({Perm.CASE_ASSESS}),
    A.ESCALATE: frozenset({Perm.CASE_ASSESS, Perm.CASE_HANDLE}),
    A.SIGN_FOR: frozenset({Perm.CASE_HANDLE}),
    A.RETURN: frozenset({Perm.CASE_HANDLE}),
    A.START_HANDLING: frozenset({Perm.CASE_HANDLE}),
    A.REQUEST_EXTENSION: frozenset({Perm.CASE_HANDLE}),
    A.COMPLETE: frozenset({Perm.CASE_HANDLE}),
    A.REVISIT: frozenset({Perm.CASE_HANDLE, Perm.CASE_VERIFY}),
    A.APPROVE_EXTENSION: frozenset({Perm.CASE_SUPERVISE}),
    A.REFUSE_EXTENSION: frozenset({Perm.CASE_SUPERVISE}),
    A.SUPERVISE: frozenset({Perm.CASE_SUPERVISE}),
    A.MARK_URGENT: frozenset({Perm.CASE_SUPERVISE, Perm.CASE_DISPATCH}),
    A.VERIFY: frozenset({Perm.CASE_VERIFY}),
    A.SEND_BACK: frozenset({Perm.CASE_VERIFY}),
    A.CLOSE: frozenset({Perm.CASE_VERIFY}),
    A.SHELVE: frozenset({Perm.CASE_VERIFY}),
    A.REFER_OUT: frozenset({Perm.CASE_VERIFY}),
    # The handler too: a failed revisit (谁调解、谁负责) sends the case back to them.
    A.REOPEN: frozenset({Perm.CASE_VERIFY, Perm.CASE_HANDLE}),
}


def next_state(state: str, action: str) -> State | None:
    """The state ``action`` leads to from ``state``, or None when the table forbids it."""
    return TRANSITIONS.get(State(state), {}).get(Action(action))


def allowed_actions(state: str) -> list[Action]:
    return list(TRANSITIONS.get(State(state), {}))
