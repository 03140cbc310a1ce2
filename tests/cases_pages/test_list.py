"""The case list: filters, Chinese search, key-set pages and a capped count, always
within the user's reach, with a constant number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fengqiao.cases import actions
from fengqiao.cases.models import Case, Grade, Risk
from tests.cases.builders import party, register

from .helpers import dispatched_to_grid_worker


def numbers(response) -> set[str]:
    return {c.number for c in response.context["cases"]}


def test_list_shows_cases_in_the_users_area_newest_first(signed_in, world):
    first = register(world.intake, world.grid1)
    second = register(world.intake, world.grid2)

    response = signed_in(world.intake).get(reverse("cases:list"))

    assert [c.number for c in response.context["cases"]] == [second.number, first.number]
    assert response.context["count"] == 2


def test_a_grid_worker_lists_only_their_grid(signed_in, world):
    mine = register(world.intake, world.grid1)
    register(world.intake, world.grid2)

    response = signed_in(world.grid_worker).get(reverse("cases:list"))

    assert numbers(response) == {mine.number}
    assert response.context["count"] == 1


def test_a_unit_handler_lists_only_what_was_dispatched_to_the_unit(signed_in, world):
    register(world.intake, world.grid1)
    case = register(world.intake, world.grid1)
    actions.accept_case(actor=world.intake, case=case)
    actions.assess_case(actor=world.intake, case=case, grade=Grade.MAJOR, risk=Risk.BLUE)
    actions.dispatch_case(actor=world.director, case=case, unit=world.judicial)

    response = signed_in(world.judicial_handler).get(reverse("cases:list"))

    assert numbers(response) == {case.number}


def test_search_finds_a_chinese_substring_of_the_narrative(signed_in, world):
    pasture = register(world.intake, world.grid1, narrative="两户牧民因草场边界发生争执")
    register(world.intake, world.grid1)
    client = signed_in(world.intake)

    assert numbers(client.get(reverse("cases:list"), {"q": "草场边界"})) == {pasture.number}
    assert numbers(client.get(reverse("cases:list"), {"q": "草场"})) == {pasture.number}


def test_search_finds_a_party_name(signed_in, world):
    case = register(world.intake, world.grid1, parties=[party(name="乌云其木格")])
    register(world.intake, world.grid1, parties=[party(name="张三")])

    response = signed_in(world.intake).get(reverse("cases:list"), {"q": "其木格"})

    assert numbers(response) == {case.number}


def test_search_results_and_count_stay_within_reach(signed_in, world):
    mine = register(world.intake, world.grid1, narrative="草场边界争议")
    register(world.intake, world.grid2, narrative="草场边界争议")

    response = signed_in(world.grid_worker).get(reverse("cases:list"), {"q": "草场边界"})

    assert numbers(response) == {mine.number}
    assert response.context["count"] == 1
    assert "共 1 件" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("state", "accepted", "accepted"),
        ("grade", "major", "accepted"),
        ("risk", "yellow", "accepted"),
        ("kind", "hazard", "hazard"),
        ("channel", "phone", "hazard"),
    ],
)
def test_simple_filters(signed_in, world, field, value, expected):
    cases = {
        "plain": register(world.intake, world.grid1),
        "accepted": register(world.intake, world.grid1),
        "hazard": register(world.intake, world.grid1, kind="hazard", channel="phone"),
    }
    actions.accept_case(actor=world.intake, case=cases["accepted"])
    actions.assess_case(
        actor=world.intake, case=cases["accepted"], grade=Grade.MAJOR, risk=Risk.YELLOW
    )
    if field == "state":
        value = "assessed"

    response = signed_in(world.intake).get(reverse("cases:list"), {field: value})

    assert numbers(response) == {cases[expected].number}


def test_area_filter_takes_the_subtree(signed_in, world):
    one = register(world.intake, world.grid1)
    register(world.intake, world.grid2)

    response = signed_in(world.intake).get(reverse("cases:list"), {"area": world.grid1.pk})

    assert numbers(response) == {one.number}


def test_category_filter_includes_subcategories(signed_in, world):
    from fengqiao.cases.models import Category

    parent = Category.objects.get(code="D05")
    child = parent.children.first()
    case = register(world.intake, world.grid1, category=child)
    register(world.intake, world.grid1)

    response = signed_in(world.intake).get(reverse("cases:list"), {"category": parent.pk})

    assert numbers(response) == {case.number}


def test_unit_handler_and_overdue_filters(signed_in, world, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC))
    case = dispatched_to_grid_worker(world)
    register(world.intake, world.grid1)
    client = signed_in(world.intake)

    assert numbers(client.get(reverse("cases:list"), {"handler": "郑网格"})) == {case.number}
    assert numbers(client.get(reverse("cases:list"), {"overdue": "on"})) == set()
    time_machine.move_to(dt.datetime(2026, 12, 30, 9, 0, tzinfo=dt.UTC))
    client = signed_in(world.intake)  # the idle session has timed out meanwhile
    assert numbers(client.get(reverse("cases:list"), {"overdue": "on"})) == {case.number}


def test_overdue_verification_filter(signed_in, world, time_machine):
    # given two completed cases, one of them verified, and one still being handled
    time_machine.move_to(dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC))
    waiting, verified = dispatched_to_grid_worker(world), dispatched_to_grid_worker(world)
    for case in (waiting, verified):
        actions.sign_for_case(actor=world.grid_worker, case=case)
        actions.start_handling(actor=world.grid_worker, case=case)
        actions.complete_case(actor=world.grid_worker, case=case, feedback="已维修")
    actions.verify_case(actor=world.intake, case=verified)
    dispatched_to_grid_worker(world)
    client = signed_in(world.intake)
    assert numbers(client.get(reverse("cases:list"), {"verify_overdue": "on"})) == set()

    # when a working day has passed since completion (Monday → Tuesday)
    time_machine.move_to(dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC))
    client = signed_in(world.intake)

    # then only the completed, unverified case is overdue for verification
    assert numbers(client.get(reverse("cases:list"), {"verify_overdue": "on"})) == {waiting.number}
    page = client.get(reverse("cases:list"), {"verify_overdue": "on"}).content.decode()
    assert "仅核查超期" in page


def test_date_range_filter(signed_in, world, time_machine):
    time_machine.move_to(dt.datetime(2026, 10, 10, 3, 0, tzinfo=dt.UTC))
    old = register(world.intake, world.grid1)
    time_machine.move_to(dt.datetime(2026, 11, 10, 3, 0, tzinfo=dt.UTC))
    register(world.intake, world.grid1)

    response = signed_in(world.intake).get(
        reverse("cases:list"), {"date_from": "2026-10-01", "date_to": "2026-10-31"}
    )

    assert numbers(response) == {old.number}


def test_pages_follow_by_key(signed_in, world, monkeypatch):
    from fengqiao.cases import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    cases = [register(world.intake, world.grid1) for _ in range(5)]
    client = signed_in(world.intake)

    first = client.get(reverse("cases:list"))
    second = client.get(reverse("cases:list"), {"after": first.context["next_after"]})
    back = client.get(reverse("cases:list"), {"before": second.context["prev_before"]})

    newest = [c.number for c in reversed(cases)]
    assert [c.number for c in first.context["cases"]] == newest[:2]
    assert [c.number for c in second.context["cases"]] == newest[2:4]
    assert [c.number for c in back.context["cases"]] == newest[:2]


def test_the_count_stops_at_its_cap(signed_in, world, monkeypatch):
    from fengqiao.cases import views

    monkeypatch.setattr(views, "COUNT_CAP", 2)
    for _ in range(3):
        register(world.intake, world.grid1)

    response = signed_in(world.intake).get(reverse("cases:list"))

    assert response.context["count_capped"] is True
    assert "超过 2 件" in response.content.decode()


def test_list_queries_are_constant(signed_in, world, django_assert_num_queries):
    register(world.intake, world.grid1)
    client = signed_in(world.intake)
    params = {"q": "漏水引发", "area": world.community.pk, "state": "registered"}
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:list"), params)
    for _ in range(8):
        dispatched_to_grid_worker(world, parties=[party(name="甲"), party(name="乙")])

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("cases:list"), params)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("cases:list"), {**params, "state": "dispatched"})

    assert response.status_code == 200
    assert len(few.captured_queries) <= 16, "\n".join(q["sql"] for q in few.captured_queries)


def test_an_outsider_without_case_rights_gets_404(signed_in, world):
    from tests import factories as f

    nobody = f.user("nobody")

    assert signed_in(nobody).get(reverse("cases:list")).status_code == 404


def test_htmx_gets_only_the_results(signed_in, world):
    register(world.intake, world.grid1)

    response = signed_in(world.intake).get(reverse("cases:list"), HTTP_HX_REQUEST="true")

    assert "<html" not in response.content.decode()
    assert 'data-testid="case-table"' in response.content.decode()


__all__ = ["Case"]
