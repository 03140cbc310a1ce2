"""Who sees and acts on which case: a grid worker only in their grid, a unit handler only
on cases dispatched to (or co-handled by) their unit; the same 404 otherwise."""

import pytest
from django.http import Http404

from fengqiao.audit.models import AuditRecord, Outcome
from fengqiao.cases import actions
from fengqiao.cases.access import get_case_for_user_or_404
from fengqiao.cases.errors import CaseError, ErrorCode
from fengqiao.cases.models import Case, Grade, Risk
from fengqiao.cases.states import State

from .builders import register


def assessed(world, area):
    case = register(world.intake, area)
    actions.accept_case(actor=world.intake, case=case)
    actions.assess_case(
        actor=world.intake,
        case=case,
        grade=Grade.HARD,
        risk=Risk.ORANGE,
        owner=world.director,
        responsibility="协调",
        deadline="2026-12-31",
    )
    return case


def test_grid_worker_sees_only_cases_in_their_grid(world):
    mine = register(world.grid_worker, world.grid1)
    theirs = register(world.other_grid_worker, world.grid2)
    assert list(Case.objects.visible_to(world.grid_worker)) == [mine]
    assert get_case_for_user_or_404(world.grid_worker, mine.pk) == mine
    with pytest.raises(Http404):
        get_case_for_user_or_404(world.grid_worker, theirs.pk)
    with pytest.raises(Http404):
        get_case_for_user_or_404(world.grid_worker, 999999)
    # and the street sees both
    assert set(Case.objects.visible_to(world.intake)) == {mine, theirs}


def test_grid_worker_cannot_register_outside_their_grid(world):
    with pytest.raises(CaseError) as refused:
        register(world.grid_worker, world.grid2)
    assert refused.value.code == ErrorCode.FORBIDDEN
    assert not Case.objects.exists()


def test_grid_worker_cannot_act_on_a_case_dispatched_to_another_grid_worker(world):
    case = register(world.intake, world.grid2)
    actions.accept_case(actor=world.intake, case=case)
    actions.assess_case(actor=world.intake, case=case, grade=Grade.MINOR, risk=Risk.BLUE)
    actions.dispatch_case(actor=world.intake, case=case, handler=world.other_grid_worker)
    with pytest.raises(CaseError) as refused:
        actions.sign_for_case(actor=world.grid_worker, case=case)
    assert refused.value.code == ErrorCode.FORBIDDEN
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED
    # the refusal is on record
    assert AuditRecord.objects.filter(
        outcome=Outcome.DENIED, actor_id=world.grid_worker.pk
    ).exists()


def test_grid_worker_cannot_accept_or_dispatch(world):
    case = register(world.grid_worker, world.grid1)
    with pytest.raises(CaseError) as refused:
        actions.accept_case(actor=world.grid_worker, case=case)
    assert refused.value.code == ErrorCode.FORBIDDEN


def test_unit_handler_sees_and_acts_only_on_their_units_cases(world):
    # given one case dispatched to the police station and one to the judicial office
    police_case = assessed(world, world.grid1)
    actions.dispatch_case(actor=world.intake, case=police_case, unit=world.police)
    judicial_case = assessed(world, world.grid1)
    actions.dispatch_case(actor=world.intake, case=judicial_case, unit=world.judicial)
    waiting = assessed(world, world.grid1)
    # then each handler sees only their unit's case
    assert list(Case.objects.visible_to(world.police_handler)) == [police_case]
    assert list(Case.objects.visible_to(world.judicial_handler)) == [judicial_case]
    with pytest.raises(Http404):
        get_case_for_user_or_404(world.police_handler, judicial_case.pk)
    with pytest.raises(Http404):
        get_case_for_user_or_404(world.police_handler, waiting.pk)
    # and cannot sign for the other unit's case
    with pytest.raises(CaseError) as refused:
        actions.sign_for_case(actor=world.police_handler, case=judicial_case)
    assert refused.value.code == ErrorCode.FORBIDDEN
    actions.sign_for_case(actor=world.police_handler, case=police_case)


def test_co_handling_unit_sees_the_case_and_may_handle_it(world):
    case = assessed(world, world.grid1)
    actions.dispatch_case(actor=world.intake, case=case, unit=world.police)
    assert case not in Case.objects.visible_to(world.judicial_handler)
    actions.add_co_handler(actor=world.intake, case=case, unit=world.judicial)
    assert list(Case.objects.visible_to(world.judicial_handler)) == [case]


def test_unit_handler_cannot_dispatch_or_verify(world):
    case = assessed(world, world.grid1)
    with pytest.raises(CaseError) as refused:
        actions.dispatch_case(actor=world.police_handler, case=case, unit=world.police)
    assert refused.value.code == ErrorCode.FORBIDDEN


def test_community_leader_cannot_dispatch_a_case_handled_by_the_street(world):
    # the handling level decides: a street case is not the community's to dispatch
    case = assessed(world, world.grid1)
    assert case.handling_area == world.street
    with pytest.raises(CaseError) as refused:
        actions.dispatch_case(actor=world.community_leader, case=case, handler=world.mediator)
    assert refused.value.code == ErrorCode.FORBIDDEN


def test_outsider_sees_nothing(world):
    from tests import factories as f

    register(world.intake, world.grid1)
    outsider = f.user("outsider")
    assert not Case.objects.visible_to(outsider).exists()
