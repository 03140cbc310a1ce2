"""Random case histories: registrations spread over days, each case walked through the
state table by random actions, with time passing between steps."""

import datetime as dt
import zoneinfo

from hypothesis import strategies as st

from fengqiao.cases import actions
from fengqiao.cases.errors import CaseError
from fengqiao.cases.models import CaseKind, Category, Channel
from fengqiao.cases.states import allowed_actions

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=TZ)  # a Monday
STEPS = [
    "accept", "decline", "assess", "dispatch", "sign_for", "return", "overrule_return",
    "escalate", "start_handling", "request_extension", "approve_extension", "complete",
    "verify", "send_back", "revisit", "close", "shelve", "refer_out", "reopen",
]  # fmt: skip
FORWARD = [
    "accept", "assess", "dispatch", "sign_for", "start_handling", "complete", "verify",
    "revisit", "close",
]  # fmt: skip

case_plans = st.lists(
    st.fixed_dictionaries(
        {
            "day": st.integers(0, 45),
            "place": st.sampled_from(["grid1", "grid2", "community", "street", "other"]),
            "kind": st.sampled_from([CaseKind.DISPUTE, CaseKind.DISPUTE, CaseKind.REQUEST]),
            "channel": st.sampled_from([Channel.WALK_IN, Channel.PHONE, Channel.GRID_PATROL]),
            "category": st.sampled_from(["D17", "D07", "D05"]),
            "grade": st.sampled_from(["micro", "minor", "major", "hard"]),
            "risk": st.sampled_from(["blue", "yellow", "orange", "red"]),
            "duplicate": st.booleans(),
            # (which of the actions allowed now, hours until it is taken)
            "steps": st.lists(
                st.tuples(st.integers(0, 99), st.integers(1, 200)), min_size=6, max_size=14
            ),
        }
    ),
    min_size=1,
    max_size=6,
)


def _category(code: str) -> Category:
    found = Category.objects.filter(code__startswith=code).order_by("-parent_id", "code")
    return found.first()


def _step(name: str, case, actor, world):
    """One action with arguments that make sense; CaseError when not possible now."""
    a = actions
    calls = {
        "accept": lambda: a.accept_case(actor=actor, case=case),
        "decline": lambda: a.decline_case(actor=actor, case=case, reason="不属受理范围"),
        "assess": lambda: a.assess_case(
            actor=actor,
            case=case,
            grade=case._plan["grade"],
            risk=case._plan["risk"],
            lead_leader=case._leader if case._plan["risk"] == "red" else None,
            owner=case._leader,
            responsibility="牵头化解",
            deadline=dt.date(2025, 6, 30),
        ),
        "dispatch": lambda: (
            a.dispatch_case(actor=actor, case=case, unit=world.police)
            if case._plan["place"] != "other" and case._plan["day"] % 2
            else a.dispatch_case(actor=actor, case=case, handler=case._leader)
        ),
        "sign_for": lambda: a.sign_for_case(actor=actor, case=case),
        "return": lambda: a.return_case(
            actor=actor, case=case, reason="非本单位职责", basis="职责清单"
        ),
        "overrule_return": lambda: a.overrule_return(actor=actor, case=case, note="属本单位职责"),
        "escalate": lambda: a.escalate_case(actor=actor, case=case, note="需上级协调"),
        "start_handling": lambda: a.start_handling(actor=actor, case=case),
        "request_extension": lambda: a.request_extension(
            actor=actor, case=case, days=2, reason="当事人外出"
        ),
        "approve_extension": lambda: a.approve_extension(actor=actor, case=case),
        "complete": lambda: a.complete_case(actor=actor, case=case, feedback="已调解"),
        "verify": lambda: a.verify_case(actor=actor, case=case),
        "send_back": lambda: a.send_back(actor=actor, case=case, reason="材料不全"),
        "revisit": lambda: a.start_revisit(actor=actor, case=case),
        "close": lambda: a.close_case(actor=actor, case=case),
        "shelve": lambda: a.shelve_case(actor=actor, case=case, note="暂无法化解"),
        "refer_out": lambda: a.refer_out(actor=actor, case=case, note="转诉讼"),
        "reopen": lambda: a.reopen_case(actor=actor, case=case, note="回访不满意"),
    }
    return calls[name]()


def play(plans, *, world, places, leaders, actor, traveller) -> list:
    """Register and walk every planned case; returns the cases."""
    made = []
    for plan in sorted(plans, key=lambda p: p["day"]):
        traveller.move_to(START + dt.timedelta(days=plan["day"], hours=len(made)))
        links = [(made[-1], "duplicate")] if plan["duplicate"] and made else []
        case = actions.register_case(
            actor=actor,
            kind=plan["kind"],
            channel=plan["channel"],
            category=_category(plan["category"]),
            title="随机事项",
            narrative="随机生成的事项经过。",
            area=places[plan["place"]],
            links=links,
        )
        case._plan, case._leader = plan, leaders[plan["place"]]
        made.append(case)
        now = START + dt.timedelta(days=plan["day"], hours=len(made))
        for choice, hours in plan["steps"]:
            now += dt.timedelta(hours=hours)
            traveller.move_to(now)
            allowed = [s for s in STEPS if s in allowed_actions(case.state)]
            if not allowed:
                break
            forward = [s for s in FORWARD if s in allowed]
            # Mostly along the closed loop, sometimes off it (returns, rework, escalation).
            name = forward[0] if forward and choice < 80 else allowed[choice % len(allowed)]
            try:
                _step(name, case, actor, world)
            except CaseError:
                continue
    return made
