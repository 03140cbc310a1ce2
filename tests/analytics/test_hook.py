"""The figures follow every case change inside its transaction, at a small fixed cost,
and ``fengqiao analytics rebuild`` recomputes them from the cases."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fengqiao.analytics.models import CaseFact, DailyFigure, MonthlyFigure
from fengqiao.cases import actions
from fengqiao.cases.errors import CaseError
from tests.cases.builders import register


def _analytics_queries(ctx) -> int:
    return sum("analytics_" in q["sql"] for q in ctx.captured_queries)


def test_registration_and_moves_cost_a_fixed_number_of_figure_queries(world):
    # On PostgreSQL the figures' writes go with the audit record, in its one statement
    # (core.rows.together); SQLite, which has no round trips, runs them one by one.
    together = connection.vendor == "postgresql"
    with CaptureQueriesContext(connection) as ctx:
        case = register(world.director, world.grid1)
    # a new case has no old fact to read; the fact, then one upsert per roll-up table
    # (the daily row, both monthly rows in one statement, the grid-year row)
    assert _analytics_queries(ctx) == (1 if together else 4)
    with CaptureQueriesContext(connection) as ctx:
        actions.accept_case(actor=world.director, case=case)
    # the old fact, the fact, one upsert for the daily rows (one out, one in) and one
    # for the four monthly rows (the grid-year row and the handling histogram do not
    # change on an accept: skipped)
    assert _analytics_queries(ctx) == (2 if together else 4)
    if together:
        last = [q["sql"] for q in ctx.captured_queries if "analytics_" in q["sql"]][-1]
        assert "audit_auditrecord" in last
        assert "analytics_monthlyfigure" in last
    fact = CaseFact.objects.get(case=case)
    assert (fact.state, fact.accepted) == ("accepted", 1)


def test_a_refused_move_leaves_the_figures_as_they_were(world):
    case = register(world.director, world.grid1)
    before = list(DailyFigure.objects.values_list())
    with pytest.raises(CaseError):
        actions.decline_case(actor=world.director, case=case, reason="")
    assert list(DailyFigure.objects.values_list()) == before


def test_a_rolled_back_transaction_takes_its_figures_with_it(world):
    register(world.director, world.grid1)
    before = list(MonthlyFigure.objects.values_list())
    with transaction.atomic():
        register(world.director, world.grid2)
        transaction.set_rollback(True)
    assert list(MonthlyFigure.objects.values_list()) == before


def test_rebuild_command_recomputes_from_the_cases(world):
    case = register(world.director, world.grid1)
    actions.accept_case(actor=world.director, case=case)
    before = sorted(r[1:] for r in DailyFigure.objects.filter(n__gt=0).values_list())
    DailyFigure.objects.all().delete()
    out = io.StringIO()
    call_command("analytics", "rebuild", stdout=out)
    assert "1 件事项" in out.getvalue()
    assert sorted(r[1:] for r in DailyFigure.objects.values_list()) == before
