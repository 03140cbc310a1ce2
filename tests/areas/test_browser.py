"""The area browser, by persona: a city leader, a town mediator of 白泥井镇, a grid worker
of 工业街道 (another town) and an outsider."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fengqiao.accounts.models import Role
from fengqiao.areas import queries
from fengqiao.areas.models import Area, Building, Center, CenterKind, Compound, Household, Level
from fengqiao.people.models import Person
from tests import factories as f
from tests.html import without_csrf

from .conftest import import_text

pytestmark = pytest.mark.django_db


def code(c: str) -> Area:
    return Area.objects.get(code=c)


def person(name: str, area: Area) -> Person:
    city = area.path[:5]
    return Person.objects.create(name=name, area=area, area_path=area.path, city_path=city)


@pytest.fixture
def tree(db):
    import_text()
    grid = code("150621100201001")
    compound = Compound.objects.create(area=grid, name="康居小区", property_company="某物业")
    building = Building.objects.create(area=grid, compound=compound, name="1号楼")
    for i in range(3):
        Household.objects.create(
            area=grid, building=building, address=f"1号楼{i + 1}01", head_name=f"户主{i}"
        )
    Household.objects.create(area=code("150602001001001"), address="工业社区1号")
    person("甲", grid)
    person("乙", grid)
    person("丙", code("150602001001001"))
    Center.objects.create(
        area=code("150621100000"), kind=CenterKind.CENTER, name="白泥井镇综治中心"
    )


@pytest.fixture
def leader(tree):
    return f.user("leader", Role.LEADER, code("150600000000"))


@pytest.fixture
def mediator(tree):
    return f.user("mediator", Role.MEDIATOR, code("150621100000"))


@pytest.fixture
def other_grid_worker(tree):
    return f.user("gw_other", Role.GRID_WORKER, code("150602001001001"))


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_browse_lists_the_users_top_areas_only(client, mediator):
    response = page(client, mediator, reverse("areas:browse"))
    assert response.status_code == 200
    rows = response.context["table"]["rows"]
    assert [r["area"].name for r in rows] == ["白泥井镇"]
    # 2 villages and 2 grids below the town, 3 households, 2 people
    assert rows[0]["cells"] == [2, 2]
    assert rows[0]["households"] == 3
    assert rows[0]["people"] == 2


def test_city_page_counts_each_childs_subtree_by_level(client, leader):
    response = page(client, leader, reverse("areas:detail", args=[code("150600000000").pk]))
    table = response.context["table"]
    assert [str(label) for label in table["levels"]] == ["苏木乡镇/街道", "嘎查村/社区", "网格"]
    by_name = {r["area"].name: r for r in table["rows"]}
    assert by_name["达拉特旗"]["cells"] == [1, 2, 2]
    assert by_name["达拉特旗"]["households"] == 3
    assert by_name["达拉特旗"]["people"] == 2
    assert by_name["东胜区"]["cells"] == [1, 1, 1]
    assert by_name["东胜区"]["households"] == 1
    assert by_name["东胜区"]["people"] == 1
    assert "达拉特旗" in response.content.decode()


def test_breadcrumbs_show_only_ancestors_the_user_may_see(client, mediator):
    village = code("150621100201")
    response = page(client, mediator, reverse("areas:detail", args=[village.pk]))
    labels = [label for label, _url in response.context["crumbs"]]
    assert labels == ["区域", "白泥井镇", "白泥井村"]
    assert "鄂尔多斯市" not in response.content.decode()


def test_town_page_shows_its_centre(client, mediator):
    response = page(client, mediator, reverse("areas:detail", args=[code("150621100000").pk]))
    assert "白泥井镇综治中心" in response.content.decode()


def test_grid_page_shows_compounds_buildings_and_households(client, mediator):
    response = page(client, mediator, reverse("areas:detail", args=[code("150621100201001").pk]))
    html = response.content.decode()
    assert "康居小区" in html
    assert "1号楼" in html
    assert "1号楼101" in html
    assert "户主0" in html  # a mediator holds PERSON_VIEW


def test_household_heads_are_hidden_without_person_view(client, tree):
    handler = f.user("handler", Role.UNIT_HANDLER, code("150621100000"))
    response = page(client, handler, reverse("areas:detail", args=[code("150621100201001").pk]))
    html = response.content.decode()
    assert "1号楼101" in html
    assert "户主0" not in html


def test_other_towns_are_the_same_404_as_missing_areas(client, mediator, other_grid_worker):
    # a mediator of 白泥井镇 asks for 工业街道, and for an area that does not exist
    forbidden_url = reverse("areas:detail", args=[code("150602001000").pk])
    missing_url = reverse("areas:detail", args=[999_999])
    forbidden = page(client, mediator, forbidden_url)
    missing = page(client, mediator, missing_url)
    assert forbidden.status_code == missing.status_code == 404
    # the pages differ only in the URL asked for (echoed by the language switcher)
    assert without_csrf(forbidden.content).replace(forbidden_url, "") == without_csrf(
        missing.content
    ).replace(missing_url, "")
    # the grid worker of 工业街道 cannot see 白泥井镇 either
    response = page(
        client, other_grid_worker, reverse("areas:detail", args=[code("150621100000").pk])
    )
    assert response.status_code == 404


def test_outsider_sees_no_areas(client, tree):
    outsider = f.user("outsider")
    response = page(client, outsider, reverse("areas:browse"))
    assert response.context["table"]["rows"] == []
    response = page(client, outsider, reverse("areas:detail", args=[code("150600000000").pk]))
    assert response.status_code == 404


def add_villages(town: Area, n: int, start: int) -> None:
    from fengqiao.areas.actions import create_area

    for i in range(start, start + n):
        village = create_area(
            actor=None,
            code=f"{town.code[:9]}{i:03d}",
            name=f"村{i}",
            level=Level.COMMUNITY,
            parent=town,
            audit=False,
        )
        grid = create_area(
            actor=None,
            code=f"{village.code}001",
            name=f"村{i}网格",
            level=Level.GRID,
            parent=village,
            audit=False,
        )
        Household.objects.create(area=grid, address=f"村{i}1号")


def test_area_page_queries_do_not_grow_with_the_number_of_children(
    client, mediator, django_assert_num_queries
):
    # given the page of a town with 2 villages
    town = code("150621100000")
    url = reverse("areas:detail", args=[town.pk])
    client.force_login(mediator)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    # when 20 villages with grids and households are added
    add_villages(town, 20, start=300)
    # then the page takes the same number of queries
    with django_assert_num_queries(len(first)):
        response = client.get(url)
    assert len(response.context["table"]["rows"]) == 22


def test_subtree_counts_take_three_queries_for_any_number_of_siblings(
    tree, django_assert_num_queries
):
    town = code("150621100000")
    add_villages(town, 20, start=300)
    villages = list(town.children.all())
    with django_assert_num_queries(3):
        counts = queries.subtree_counts(villages)
    assert counts[code("150621100201").pk].households == 3
    assert counts[code("150621100300").pk].by_level == {Level.GRID: 1}
