"""工业街道's ladder, at the action level: 微事 in the compound by the property company,
小事 by the grid worker, 大事 escalated to the community, 难事 escalated to the street
centre under 三定 with a lead leader; and a return overruled by the centre."""

import pytest

from fengqiao.cases import actions
from fengqiao.cases.errors import CaseError, ErrorCode
from fengqiao.cases.models import Channel, Grade, Notification, Risk
from fengqiao.cases.states import State

from .builders import register


def handle_to_completion(case, handler, feedback="已化解"):
    actions.sign_for_case(actor=handler, case=case)
    actions.start_handling(actor=handler, case=case)
    actions.complete_case(actor=handler, case=case, feedback=feedback)


def test_micro_case_is_handled_in_the_compound_by_the_property_company(world):
    # given a grid worker's patrol finding in 阳光小区
    case = register(
        world.grid_worker, world.grid1, building=world.building, channel=Channel.GRID_PATROL
    )
    assert case.registered_area == world.grid1
    # when the street centre grades it micro and dispatches without naming anyone
    actions.accept_case(actor=world.intake, case=case)
    actions.assess_case(actor=world.intake, case=case, grade=Grade.MICRO, risk=Risk.BLUE)
    actions.dispatch_case(actor=world.intake, case=case)
    # then it goes to the compound's property company, which handles it
    assert case.current_unit == world.property_company
    assert case.handling_area == world.grid1
    handle_to_completion(case, world.property_handler)
    actions.verify_case(actor=world.intake, case=case)
    assert case.state == State.VERIFIED
    assert not case.was_escalated


def test_minor_case_is_handled_by_the_grid_worker(world):
    # given a neighbour dispute the grid worker registered in grid 1
    case = register(world.grid_worker, world.grid1, channel=Channel.GRID_PATROL)
    actions.accept_case(actor=world.intake, case=case)
    # when it is graded minor and dispatched by default
    actions.assess_case(actor=world.intake, case=case, grade=Grade.MINOR, risk=Risk.YELLOW)
    actions.dispatch_case(actor=world.intake, case=case)
    # then the grid's own grid worker handles it, locally
    assert case.current_handler == world.grid_worker
    handle_to_completion(case, world.grid_worker)
    actions.verify_case(actor=world.intake, case=case)
    assert case.state == State.VERIFIED
    assert not case.was_escalated


def test_major_case_is_escalated_by_the_grid_worker_to_the_community(world):
    # given a minor case the grid worker is handling
    case = register(world.grid_worker, world.grid1)
    actions.accept_case(actor=world.intake, case=case)
    actions.assess_case(actor=world.intake, case=case, grade=Grade.MINOR, risk=Risk.YELLOW)
    actions.dispatch_case(actor=world.intake, case=case, handler=world.grid_worker)
    actions.sign_for_case(actor=world.grid_worker, case=case)
    actions.start_handling(actor=world.grid_worker, case=case)
    # when it turns out bigger and the grid worker escalates it
    actions.escalate_case(actor=world.grid_worker, case=case, note="涉及全楼业主，网格无法协调")
    # then the community handles it; it no longer counts as resolved locally
    assert case.state == State.ASSESSED
    assert case.handling_area == world.community
    assert case.was_escalated
    assert case.current_handler is None
    assert case.due_at is None
    assert Notification.objects.filter(recipient=world.community_leader, case=case).exists()
    actions.assess_case(
        actor=world.community_leader, case=case, grade=Grade.MAJOR, risk=Risk.ORANGE
    )
    actions.dispatch_case(actor=world.community_leader, case=case, handler=world.mediator)
    handle_to_completion(case, world.mediator, feedback="社区组织调解，达成协议")
    assert case.state == State.COMPLETED
    assert case.handling_area == world.community


def test_hard_case_goes_to_the_street_centre_under_three_fixes_and_a_lead_leader(world):
    case = register(world.grid_worker, world.grid1, people_count=40)
    actions.accept_case(actor=world.intake, case=case)
    # when graded hard without 三定, then it is refused, naming what is missing
    with pytest.raises(CaseError) as refused:
        actions.assess_case(actor=world.intake, case=case, grade=Grade.HARD, risk=Risk.ORANGE)
    assert refused.value.code == ErrorCode.THREE_FIXES_REQUIRED
    assert "定人、定责、定时限" in refused.value.message
    # and a red risk without a lead leader is refused too
    with pytest.raises(CaseError) as refused:
        actions.assess_case(
            actor=world.intake,
            case=case,
            grade=Grade.HARD,
            risk=Risk.RED,
            owner=world.director,
            responsibility="牵头协调派出所、司法所联合化解",
            deadline="2026-12-31",
        )
    assert refused.value.code == ErrorCode.LEAD_LEADER_REQUIRED
    assert case.state == State.ACCEPTED
    # when graded hard and red with 三定 and the director as lead leader
    actions.assess_case(
        actor=world.intake,
        case=case,
        grade=Grade.HARD,
        risk=Risk.RED,
        lead_leader=world.director,
        owner=world.director,
        responsibility="牵头协调派出所、司法所联合化解",
        deadline="2026-12-31",
    )
    # then the street centre handles it, jointly with the judicial office
    assert case.handling_area == world.street
    assert case.was_escalated
    assert Notification.objects.filter(recipient=world.director, kind="assess").exists()
    actions.dispatch_case(actor=world.intake, case=case, unit=world.police)
    actions.add_co_handler(actor=world.director, case=case, unit=world.judicial)
    handle_to_completion(case, world.police_handler, feedback="联合调处，签订协议")
    actions.verify_case(actor=world.director, case=case)
    assert case.state == State.VERIFIED


def test_a_return_needs_reason_and_basis_and_the_centre_can_overrule_it(world):
    # given a case dispatched to the police station
    case = register(world.intake, world.grid1)
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
    actions.dispatch_case(actor=world.intake, case=case, unit=world.police)
    started = case.dispatched_at
    # when the station returns it without a basis, then it is refused
    with pytest.raises(CaseError) as refused:
        actions.return_case(actor=world.police_handler, case=case, reason="非警务事项", basis="")
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    assert case.state == State.DISPATCHED
    # when it returns it with reason and basis, then it is returned and counted
    actions.return_case(
        actor=world.police_handler, case=case, reason="非警务事项", basis="《人民警察法》第六条"
    )
    assert case.state == State.RETURNED
    assert case.return_count == 1
    assert Notification.objects.filter(recipient=world.intake, kind="return").exists()
    # when the centre overrules, then it is back with the station and the clock kept running
    actions.overrule_return(actor=world.intake, case=case, note="涉及治安隐患，属派出所职责")
    assert case.state == State.DISPATCHED
    assert case.current_unit == world.police
    assert case.dispatched_at == started
    actions.sign_for_case(actor=world.police_handler, case=case)
    assert case.state == State.SIGNED_FOR
