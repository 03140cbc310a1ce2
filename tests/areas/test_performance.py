"""100,000 areas: the bulk import and the browser's subtree counts, timed.

Run with ``pytest tests/areas -m slow -s`` to see the figures."""

import time

import pytest

from fengqiao.areas import actions, queries
from fengqiao.areas import io as areas_io
from fengqiao.areas.models import Area, Household, Level

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

DISTRICTS = ["150602", "150603", "150621", "150622", "150623", "150624", "150625", "150626"]
DISTRICTS += ["150627"]
TOWNS, VILLAGES = 40, 250  # per district, per town: 1 + 9 + 360 + 90,000 areas
GRIDS = 9_630  # one grid in each of the first villages: 100,000 areas in all


def big_files() -> tuple[str, str]:
    lines = ["区划代码,名称", "150600000000,鄂尔多斯市"]
    grids = ["网格编码,网格名称,所属社区代码,户数"]
    for d in DISTRICTS:
        lines.append(f"{d}000000,旗区{d}")
        for t in range(100, 100 + TOWNS):
            lines.append(f"{d}{t}000,镇{d}{t}")
            for v in range(1, VILLAGES + 1):
                lines.append(f"{d}{t}{v:03d},村{d}{t}{v:03d}")
                if len(grids) <= GRIDS:
                    grids.append(f"{d}{t}{v:03d}001,网格{d}{t}{v:03d},{d}{t}{v:03d},300")
    return "\n".join(lines) + "\n", "\n".join(grids) + "\n"


def test_hundred_thousand_areas_import_and_count_quickly():
    areas_text, grids_text = big_files()
    area_table, _ = areas_io.read_tables(areas_text.encode(), "big.csv")
    grid_table = areas_io.read_grid_table(grids_text.encode(), "big-grids.csv")

    started = time.perf_counter()
    summary = actions.import_tree(actor=None, area_table=area_table, grid_table=grid_table)
    imported = time.perf_counter() - started
    assert sum(summary.created.values()) == 100_000
    assert Area.objects.count() == 100_000

    started = time.perf_counter()
    again = actions.import_tree(actor=None, area_table=area_table, grid_table=grid_table)
    reimported = time.perf_counter() - started
    assert not again.changed

    grid_ids = list(Area.objects.filter(level=Level.GRID).values_list("id", flat=True))
    Household.objects.bulk_create(
        [Household(area_id=g, address=f"{i}号") for g in grid_ids for i in range(10)],
        batch_size=5000,
    )

    city = Area.objects.get(code="150600000000")
    districts = list(city.children.all())
    started = time.perf_counter()
    counts = queries.subtree_counts(districts)
    city_children = time.perf_counter() - started
    town = Area.objects.get(code="150621100000")
    villages = list(town.children.all())
    started = time.perf_counter()
    queries.subtree_counts(villages)
    town_children = time.perf_counter() - started

    assert sum(c.by_level.get(Level.COMMUNITY, 0) for c in counts.values()) == 90_000
    assert sum(c.households for c in counts.values()) == 96_300
    print(
        f"\n100,000 areas: import {imported:.1f} s, re-import (no change) {reimported:.1f} s; "
        f"subtree counts of the city's 9 districts {city_children * 1000:.0f} ms, "
        f"of a town's 250 villages {town_children * 1000:.0f} ms"
    )
    assert imported < 60
    assert city_children < 5
