"""Every (state, action) pair against the transitions table: the allowed ones succeed and
write exactly one timeline event and one audit record; the others are refused with a
clear message and change nothing."""

import pytest

from fengqiao.audit.models import AuditRecord
from fengqiao.cases import actions
from fengqiao.cases.errors import CaseError, ErrorCode
from fengqiao.cases.models import Case, Grade, Risk, SupervisionLevel, TimelineEvent
from fengqiao.cases.states import TRANSITIONS, Action, State, next_state

from .builders import register

# How the director brings a fresh case into each state, step by step.
PATHS: dict[State, list[Action]] = {
    State.REGISTERED: [],
    State.ACCEPTED: [Action.ACCEPT],
    State.DECLINED: [Action.DECLINE],
    State.ASSESSED: [Action.ACCEPT, Action.ASSESS],
    State.DISPATCHED: [Action.ACCEPT, Action.ASSESS, Action.DISPATCH],
    State.RETURNED: [Action.ACCEPT, Action.ASSESS, Action.DISPATCH, Action.RETURN],
    State.SIGNED_FOR: [Action.ACCEPT, Action.ASSESS, Action.DISPATCH, Action.SIGN_FOR],
}
PATHS[State.IN_PROGRESS] = [*PATHS[State.SIGNED_FOR], Action.START_HANDLING]
PATHS[State.COMPLETED] = [*PATHS[State.IN_PROGRESS], Action.COMPLETE]
PATHS[State.SENT_BACK] = [*PATHS[State.COMPLETED], Action.SEND_BACK]
PATHS[State.VERIFIED] = [*PATHS[State.COMPLETED], Action.VERIFY]
PATHS[State.REVISITING] = [*PATHS[State.VERIFIED], Action.REVISIT]
PATHS[State.CLOSED] = [*PATHS[State.REVISITING], Action.CLOSE]
PATHS[State.SHELVED] = [*PATHS[State.IN_PROGRESS], Action.SHELVE]
PATHS[State.REFERRED_OUT] = [Action.ACCEPT, Action.REFER_OUT]


def arguments(world, action: Action) -> dict:
    """Valid arguments for each action, as the director would give them."""
    return {
        Action.ACCEPT: {},
        Action.DECLINE: {"reason": "不属于受理范围"},
        Action.ASSESS: {"grade": Grade.MAJOR, "risk": Risk.BLUE},
        Action.DISPATCH: {"handler": world.director},
        Action.SIGN_FOR: {},
        Action.RETURN: {"reason": "不属本单位职责", "basis": "《物业管理条例》第三十五条"},
        Action.OVERRULE_RETURN: {"note": "属于辖区职责，请办理"},
        Action.ESCALATE: {"note": "社区无法协调，上报街道"},
        Action.DELEGATE: {"to_area": world.grid1},
        Action.ADD_CO_HANDLER: {"unit": world.judicial},
        Action.REQUEST_EXTENSION: {"days": 2, "reason": "当事人外出"},
        Action.APPROVE_EXTENSION: {},
        Action.REFUSE_EXTENSION: {"note": "理由不充分"},
        Action.SUPERVISE: {"level": SupervisionLevel.YELLOW, "note": "尽快办理"},
        Action.MARK_URGENT: {"note": "涉及多人"},
        Action.START_HANDLING: {},
        Action.COMPLETE: {"feedback": "双方达成协议，已维修"},
        Action.VERIFY: {},
        Action.SEND_BACK: {"reason": "未附协议"},
        Action.REVISIT: {},
        Action.CLOSE: {},
        Action.SHELVE: {"note": "当事人失联"},
        Action.REFER_OUT: {"note": "告知当事人向法院起诉"},
        Action.REOPEN: {"note": "回访不满意"},
    }[action]


def case_in(world, state: State) -> Case:
    case = register(world.director, world.grid1)
    for step in PATHS[state]:
        actions.ACTIONS[step](actor=world.director, case=case, **arguments(world, step))
    assert case.state == state
    return case


def test_every_state_is_reachable_and_in_the_table():
    assert set(PATHS) == set(State) == set(TRANSITIONS)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("state", list(State))
def test_state_action_pair_follows_the_table(world, state, action):
    # given a case in ``state`` (with an extension waiting when one is to be decided)
    case = case_in(world, state)
    target = next_state(state, action)
    deciding = action in (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION)
    if deciding and target is not None:
        actions.request_extension(actor=world.director, case=case, days=2, reason="外出")
    before = Case.objects.filter(pk=case.pk).values().get()
    events, audits = TimelineEvent.objects.count(), AuditRecord.objects.count()

    if target is None:
        # when the table does not allow it, then it is refused and nothing changes
        with pytest.raises(CaseError) as refused:
            actions.ACTIONS[action](actor=world.director, case=case, **arguments(world, action))
        assert refused.value.code == ErrorCode.TRANSITION_NOT_ALLOWED
        assert refused.value.message == f"事项当前为“{state.label}”，不能“{action.label}”。"
        assert Case.objects.filter(pk=case.pk).values().get() == before
        assert TimelineEvent.objects.count() == events
        assert AuditRecord.objects.count() == audits
    else:
        # when it is allowed, then the case moves and one event and one record are written
        moved = actions.ACTIONS[action](actor=world.director, case=case, **arguments(world, action))
        assert moved.state == target
        assert Case.objects.get(pk=case.pk).state == target
        assert TimelineEvent.objects.count() == events + 1
        assert AuditRecord.objects.count() == audits + 1
        event = TimelineEvent.objects.latest("pk")
        assert (event.action, event.from_state, event.to_state) == (action, state, target)
        assert AuditRecord.objects.latest("seq").action == f"case.{action}"
