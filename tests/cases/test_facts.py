"""Correcting a case's facts before dispatch (更正事项情况): the intake desk fixes what
was registered, the search index follows in the same transaction, and nothing changes
once the case has gone to its handler."""

import datetime as dt
from decimal import Decimal

import pytest

from fengqiao.audit.models import AuditRecord, Outcome
from fengqiao.cases import actions
from fengqiao.cases.errors import CaseError, ErrorCode
from fengqiao.cases.models import Case, Category, Grade, Risk
from fengqiao.search.index import matching_q
from fengqiao.search.models import CaseSearch

from .builders import register


def found(query) -> set[int]:
    return set(Case.objects.filter(matching_q(query)).values_list("pk", flat=True))


def facts(case, **changes) -> dict:
    values = {
        "title": case.title,
        "narrative": case.narrative,
        "category": case.category,
        "area": case.area,
        "occurred_at": case.occurred_at,
        "people_count": case.people_count,
        "amount": case.amount,
    }
    return values | changes


def test_intake_officer_corrects_the_facts_and_search_follows(world):
    # given a case registered by the grid worker with a wrong title and category
    case = register(world.grid_worker, world.grid1)
    land = Category.objects.get(code="D01")

    # when the street's intake officer corrects it
    actions.update_case_facts(
        actor=world.intake,
        case=case,
        **facts(
            case,
            title="草场边界纠纷",
            narrative="两户牧民因草场边界发生争执",
            category=land,
            people_count=6,
            amount=Decimal("12000.50"),
            occurred_at=dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC),
        ),
        note="受理时核实",
    )

    # then the case, its search row, its timeline and the audit log all say so
    case.refresh_from_db()
    assert (case.title, case.category, case.people_count) == ("草场边界纠纷", land, 6)
    assert case.amount == Decimal("12000.50")
    assert found("草场边界") == {case.pk}
    assert found("漏水引发") == set()
    assert "草场边界纠纷" in CaseSearch.objects.get(case=case).text
    event = case.timeline.get(action="update_facts")
    assert event.note == "受理时核实"
    assert set(event.data["fields"]) == {
        "title",
        "narrative",
        "category",
        "people_count",
        "amount",
        "occurred_at",
    }
    assert AuditRecord.objects.filter(action="case.update_facts", object_id=str(case.pk)).exists()


def test_moving_the_place_within_the_handling_area_rewrites_the_paths(world):
    case = register(world.intake, world.grid1, building=world.building)
    actions.accept_case(actor=world.intake, case=case)

    actions.update_case_facts(actor=world.intake, case=case, **facts(case, area=world.grid2))

    case.refresh_from_db()
    assert case.area == world.grid2
    assert case.area_path == world.grid2.path
    assert case.building is None  # 3号楼 lies in grid 1, not in the new place
    assert CaseSearch.objects.get(case=case).area_path == world.grid2.path


def test_the_place_may_not_leave_the_handling_area(world):
    # given a case the grid worker registered, handled in grid 1 for now
    case = register(world.grid_worker, world.grid1)
    with pytest.raises(CaseError) as refused:
        actions.update_case_facts(actor=world.intake, case=case, **facts(case, area=world.grid2))
    assert refused.value.code == ErrorCode.NOT_IN_TREE
    case.refresh_from_db()
    assert case.area == world.grid1


def test_no_change_writes_nothing(world):
    case = register(world.intake, world.grid1)
    actions.update_case_facts(actor=world.intake, case=case, **facts(case))
    assert not case.timeline.filter(action="update_facts").exists()


def test_facts_are_fixed_once_dispatched(world):
    case = register(world.intake, world.grid1)
    actions.accept_case(actor=world.intake, case=case)
    actions.assess_case(actor=world.intake, case=case, grade=Grade.MINOR, risk=Risk.BLUE)
    actions.update_case_facts(actor=world.intake, case=case, **facts(case, title="已研判仍可更正"))
    actions.dispatch_case(actor=world.intake, case=case, handler=world.grid_worker)

    with pytest.raises(CaseError) as refused:
        actions.update_case_facts(actor=world.intake, case=case, **facts(case, title="派单后"))

    assert refused.value.code == ErrorCode.TRANSITION_NOT_ALLOWED
    case.refresh_from_db()
    assert case.title == "已研判仍可更正"


def test_grid_worker_may_not_correct_the_facts(world):
    case = register(world.grid_worker, world.grid1)
    with pytest.raises(CaseError) as refused:
        actions.update_case_facts(actor=world.grid_worker, case=case, **facts(case, title="改"))
    assert refused.value.code == ErrorCode.FORBIDDEN
    refusal = AuditRecord.objects.get(action="access.denied", object_id=str(case.pk))
    assert refusal.outcome == Outcome.DENIED
    assert refusal.detail == {"perm": "case.update_facts"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "标题不能为空"),
        ({"narrative": ""}, "事项描述不能为空"),
        ({"people_count": 0}, "涉及人数"),
        ({"amount": Decimal("-1")}, "涉及金额无效"),
    ],
)
def test_invalid_corrections_are_refused(world, changes, message):
    case = register(world.intake, world.grid1)
    with pytest.raises(CaseError) as refused:
        actions.update_case_facts(actor=world.intake, case=case, **facts(case, **changes))
    assert message in refused.value.message
    assert not case.timeline.filter(action="update_facts").exists()
