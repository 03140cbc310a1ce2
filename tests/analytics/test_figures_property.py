"""Every figure equals a brute-force recomputation from the case rows, over random case
histories; on SQLite and on PostgreSQL (run with FENGQIAO_DATABASE_URL)."""

import datetime as dt

import time_machine
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fengqiao.analytics import figures, rebuild
from fengqiao.analytics.models import CaseFact, DailyFigure, GridYear, MonthlyFigure
from fengqiao.analytics.periods import period_of
from fengqiao.areas.models import Area

from . import brute
from .histories import START, case_plans, play

PERIODS = st.tuples(
    st.sampled_from(["day", "week", "month", "quarter", "year", "custom"]),
    st.integers(0, 50),
    st.integers(0, 30),
)


def _check(area, period):
    expected = brute.figures(area, period)
    summary = figures.summary(area, period)
    assert summary.total == expected["n"]
    for rate in summary.rates:
        assert (rate.numerator, rate.denominator) == expected[rate.key], rate.key
        assert rate.value == brute.percent(expected[rate.key])
    avg, p90 = summary.durations
    assert (avg.hours, p90.hours) == (expected["avg_hours"], expected["p90_hours"])
    for dimension in figures.DIMENSIONS:
        counts = {c.value: c.n for c in figures.breakdown(area, period, dimension)}
        assert counts == {k: v for k, v in expected[f"by_{dimension}"].items() if v}, dimension
    every, disputes = figures.category_counts(area, period)
    assert every == figures.breakdown(area, period, "category")
    assert disputes == figures.breakdown(area, period, "category", disputes_only=True)
    # The dashboard's combined reads give the same as the single ones
    now, before = figures.summary_with_previous(area, period)
    assert (now.totals, now.durations) == (summary.totals, summary.durations)
    assert before.totals == figures.totals(area, period.previous())
    assert before.period == period.previous()
    assert figures.categories_and_trend(area, period) == (
        every,
        disputes,
        figures.trend(area, period),
    )
    # The dashboard's one read of the daily rows (a period with a trend by day) gives
    # the same as the single reads
    board = figures.small_area_board(
        area, period, list(Area.objects.filter(parent=area).order_by("path")), 99
    )
    if board is not None:
        event("dashboard: one read of the daily rows")
        assert board == (
            now.totals,
            before.totals,
            figures.by_child(area, period),
            every,
            disputes,
            figures.trend(area, period),
            figures.hotspot_grids(area, period, 99),
        )
    children = {
        (row.area.path if row.area else area.path): row.n
        for row in figures.by_child(area, period)
        if row.n
    }
    assert children == dict(brute.child_counts(area, period))
    assert sum(b["n"] for b in figures.trend(area, period)) == expected["n"]
    repeat = sum(c.repeat for c in figures.breakdown(area, period, "kind"))
    assert repeat == expected["repeat"]
    hot = {h["area"].path: (h["n"], h["repeat"]) for h in figures.hotspot_grids(area, period, 99)}
    assert hot == brute.hot_grids(area, period)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plans=case_plans, period=PERIODS)
def test_every_figure_equals_brute_force_recount(world, driver, other_street, plans, period):
    # Given random histories of cases across two streets
    places = {
        "grid1": world.grid1,
        "grid2": world.grid2,
        "community": world.community,
        "street": world.street,
        "other": other_street[1],
    }
    kind, offset, length = period
    on = (START + dt.timedelta(days=offset)).date()
    chosen = period_of(kind, on, on + dt.timedelta(days=length))
    with transaction.atomic(), time_machine.travel(START, tick=False) as traveller:
        leaders = dict.fromkeys(places, world.director) | {"other": other_street[2]}
        made = play(
            plans, world=world, places=places, leaders=leaders, actor=driver, traveller=traveller
        )
        for case in made:
            event(f"state {case.state}")
        # Then every figure at every level equals the recount from the case rows
        for area in (world.city, world.district, world.street, world.community, world.grid1):
            _check(area, chosen)
        # And a rebuild from the cases gives the very same roll-ups
        rollups = (DailyFigure, MonthlyFigure, GridYear)
        before = [sorted(r[1:] for r in m.objects.filter(n__gt=0).values_list()) for m in rollups]
        facts_before = sorted(CaseFact.objects.values_list())
        rebuild.rebuild()
        assert before == [sorted(r[1:] for r in m.objects.values_list()) for m in rollups]
        # (the set-based rebuild writes the very facts the actions kept, column by column)
        assert sorted(CaseFact.objects.values_list()) == facts_before
        transaction.set_rollback(True)
