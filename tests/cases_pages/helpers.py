"""Moving a case along the loop for page tests."""

from fengqiao.cases import actions
from fengqiao.cases.models import Grade, Risk
from tests.cases.builders import register


def dispatched_to_grid_worker(world, **register_fields):
    """A minor case in grid 1, accepted, assessed and dispatched to its grid worker."""
    case = register(world.intake, world.grid1, **register_fields)
    actions.accept_case(actor=world.intake, case=case)
    actions.assess_case(actor=world.intake, case=case, grade=Grade.MINOR, risk=Risk.BLUE)
    actions.dispatch_case(actor=world.intake, case=case, handler=world.grid_worker)
    return case
