"""A few cases through the real actions, for the page, export and meeting tests."""

import datetime as dt

from fengqiao.cases import actions
from tests.cases.builders import register


def closed_case(world, place, title="邻里漏水纠纷"):
    """A dispute registered, handled by the police station and closed after a revisit."""
    d = world.director
    case = register(d, place, title=title)
    actions.accept_case(actor=d, case=case)
    actions.assess_case(actor=d, case=case, grade="minor", risk="yellow")
    actions.dispatch_case(actor=d, case=case, unit=world.police)
    actions.sign_for_case(actor=world.police_handler, case=case)
    actions.start_handling(actor=world.police_handler, case=case)
    actions.complete_case(actor=world.police_handler, case=case, feedback="已调解")
    actions.verify_case(actor=d, case=case)
    actions.start_revisit(actor=d, case=case)
    actions.close_case(actor=d, case=case)
    return case


def red_case(world, place, title="土地边界纠纷"):
    d = world.director
    case = register(d, place, title=title)
    actions.accept_case(actor=d, case=case)
    actions.assess_case(
        actor=d,
        case=case,
        grade="hard",
        risk="red",
        lead_leader=d,
        owner=d,
        responsibility="牵头化解",
        deadline=dt.date.today() + dt.timedelta(days=10),
    )
    return case
