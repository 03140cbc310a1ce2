"""The case page costs the same number of queries however long its history: the lists
and the workbench are pinned in tests/cases_pages; the case page is pinned here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fengqiao.cases import actions
from fengqiao.cases.models import SupervisionLevel
from tests.cases.builders import party
from tests.cases_pages.helpers import dispatched_to_grid_worker

pytestmark = pytest.mark.django_db


def _queries(client, case) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_case_page_queries_do_not_grow_with_timeline_and_parties(
    signed_in, world, django_assert_num_queries
):
    # Given a dispatched case seen by the street's director, with a short history
    case = dispatched_to_grid_worker(world, parties=[party(name="甲")])
    client = signed_in(world.director)
    few = _queries(client, case)

    # When its history grows to twenty events and it gains parties and supervisions
    other = dispatched_to_grid_worker(world, parties=[party(name="甲"), party(name="乙")])
    for n in range(8):
        level = SupervisionLevel.NORMAL if n % 2 else SupervisionLevel.YELLOW
        actions.supervise_case(actor=world.director, case=other, level=level, note=f"第{n}次")
        actions.mark_urgent(actor=world.director, case=other, note=f"加急{n}")
    assert other.timeline.count() == 20

    # Then its page costs exactly as many queries as the short one's
    with django_assert_num_queries(few):
        response = client.get(reverse("cases:detail", args=[other.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("第7次") >= 1
