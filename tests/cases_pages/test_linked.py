"""The case page lists linked cases in both directions, only those the reader may see."""

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.cases import actions
from fengqiao.cases.models import LinkKind
from tests.cases.builders import register
from tests.cases.conftest import world  # noqa: F401 — the shared fixture

pytestmark = pytest.mark.django_db


def page_of(user, case) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_links_show_both_ways_but_only_to_cases_the_reader_may_see(world):  # noqa: F811
    # Given a case in grid 1 linked to one in grid 1 and to one in grid 2
    here = register(world.intake, world.grid1, title="本网格事项")
    same_grid = register(world.intake, world.grid1, title="同网格旧案")
    other_grid = register(world.intake, world.grid2, title="邻网格旧案")
    actions.link_cases(actor=world.intake, case=here, other=same_grid, kind=LinkKind.RELATED)
    actions.link_cases(actor=world.intake, case=other_grid, other=here, kind=LinkKind.RELATED)

    # The street's intake officer sees both links, from either end
    page = page_of(world.intake, here)
    assert same_grid.number in page
    assert other_grid.number in page
    assert here.number in page_of(world.intake, other_grid)

    # Grid 1's worker sees the link inside grid 1 only
    page = page_of(world.grid_worker, here)
    assert same_grid.number in page
    assert other_grid.number not in page
