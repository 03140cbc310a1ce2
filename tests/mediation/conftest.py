"""工业街道 (tests/cases) with its people's mediation committee, a second mediator on
the street, and the dispute between 张三 and 李四 brought to the mediator's desk."""

from dataclasses import dataclass

import pytest

from fengqiao.accounts.models import Role
from fengqiao.cases import actions as case_actions
from fengqiao.cases.models import Grade, Risk
from fengqiao.units.actions import create_unit
from fengqiao.units.models import UnitKind
from tests import factories as f
from tests.api.conftest import Api, api_as, register_body  # noqa: F401
from tests.cases.builders import party, register
from tests.cases.conftest import world  # noqa: F401

ZHANG_ID = "110105199001011232"
LI_ID = "11010519491231002X"


@dataclass
class Desk:
    world: object
    committee: object
    street_mediator: object  # 工业街道 mediator (吕调解)
    cousin_mediator: object  # 张三's cousin, a mediator on the community


@pytest.fixture
def desk(world):  # noqa: F811
    committee = create_unit(
        actor=None,
        name="工业社区人民调解委员会",
        kind=UnitKind.MEDIATION_COMMITTEE,
        area=world.community,
    )
    return Desk(
        world=world,
        committee=committee,
        street_mediator=f.user("mediator_lv", Role.MEDIATOR, world.street, full_name="吕调解"),
        cousin_mediator=f.user(
            "mediator_zhang", Role.MEDIATOR, world.community, full_name="张表哥"
        ),
    )


def dispute_at_mediator(world):  # noqa: F811
    """A neighbour dispute registered, accepted, assessed and dispatched to the community
    mediator, who signed for it and started handling."""
    case = register(
        world.intake,
        world.grid1,
        parties=[
            party("applicant", "张三", ZHANG_ID, "13812345678", address="阳光小区3号楼402室"),
            party("respondent", "李四", LI_ID, "13987654321", address="阳光小区3号楼502室"),
        ],
    )
    case_actions.accept_case(actor=world.intake, case=case)
    case_actions.assess_case(actor=world.intake, case=case, grade=Grade.MAJOR, risk=Risk.BLUE)
    case_actions.dispatch_case(actor=world.intake, case=case, handler=world.mediator)
    case_actions.sign_for_case(actor=world.mediator, case=case)
    case_actions.start_handling(actor=world.mediator, case=case)
    return case


@pytest.fixture
def case(desk):
    return dispute_at_mediator(desk.world)
