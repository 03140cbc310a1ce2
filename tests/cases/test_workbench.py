"""Each user's to-do list: what waits for their action, urgent first, then by deadline."""

from fengqiao.cases import actions, queries, workbench
from fengqiao.cases.models import ExtensionStatus, Grade, Risk

from .builders import register


def test_each_step_waits_for_the_right_person(world):
    # given a registered case
    case = register(world.grid_worker, world.grid1)
    # then it waits for the street's intake officer, not for the grid worker or a unit
    assert list(queries.todo_for(world.intake)) == [case]
    assert list(queries.todo_for(world.grid_worker)) == []
    assert list(queries.todo_for(world.police_handler)) == []
    # when it is graded minor (handled in grid 1) and dispatched to the grid worker
    actions.accept_case(actor=world.intake, case=case)
    actions.assess_case(actor=world.intake, case=case, grade=Grade.MINOR, risk=Risk.BLUE)
    actions.dispatch_case(actor=world.intake, case=case, handler=world.grid_worker)
    # then it waits for the grid worker, and no longer for the centre
    assert list(queries.todo_for(world.grid_worker)) == [case]
    assert list(queries.todo_for(world.intake)) == []
    assert list(queries.todo_for(world.other_grid_worker)) == []
    assert queries.todo_counts(world.grid_worker) == {"dispatched": 1}


def test_urgent_cases_come_first_then_the_nearest_deadline(world):
    cases = []
    for _ in range(3):
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
        cases.append(case)
    actions.mark_urgent(actor=world.director, case=cases[2], note="群体性")
    assert list(queries.todo_for(world.police_handler)) == [cases[2], cases[0], cases[1]]


def test_a_pending_extension_waits_for_the_leader(world):
    case = register(world.intake, world.grid1)
    actions.accept_case(actor=world.intake, case=case)
    actions.assess_case(actor=world.intake, case=case, grade=Grade.MINOR, risk=Risk.BLUE)
    actions.dispatch_case(actor=world.intake, case=case, handler=world.grid_worker)
    actions.sign_for_case(actor=world.grid_worker, case=case)
    assert case not in queries.todo_for(world.director)
    actions.request_extension(actor=world.grid_worker, case=case, days=1, reason="当事人外出")
    assert case in queries.todo_for(world.director)


def test_an_undecided_extension_lapses_when_the_case_is_completed(world):
    # given a grid worker's request for more time that no leader has decided
    case = register(world.intake, world.grid1)
    actions.accept_case(actor=world.intake, case=case)
    actions.assess_case(actor=world.intake, case=case, grade=Grade.MINOR, risk=Risk.BLUE)
    actions.dispatch_case(actor=world.intake, case=case, handler=world.grid_worker)
    actions.sign_for_case(actor=world.grid_worker, case=case)
    actions.start_handling(actor=world.grid_worker, case=case)
    actions.request_extension(actor=world.grid_worker, case=case, days=1, reason="当事人外出")

    # when the grid worker completes the case anyway
    actions.complete_case(actor=world.grid_worker, case=case, feedback="已办结")

    # then the request lapses and no longer waits on the director's list
    request = case.extensions.get()
    assert request.status == ExtensionStatus.REFUSED
    assert request.decision_note == "办结时尚未审批，自动失效"
    assert [g.key for g in workbench.todo_for(world.director)] == ["verify"]
