"""The access matrix over the demo city: every role at every level, against records in
its own grid, in another village of its own town and in another town, for each way of
reaching a record — list, detail, search, count and export.

The expectations below are written out by hand from the role descriptions in the
glossary, not derived from ``ROLE_PERMISSIONS``: this test is what catches a change to
that table that nobody meant.
"""

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.accounts.models import Role, User
from fengqiao.areas.models import Area, Level
from fengqiao.demo.city import BAINIJING_CODE, GONGYE_CODE, load_demo
from fengqiao.people.masking import mask_id
from fengqiao.people.models import Person
from tests.cases.builders import register
from tests.html import comparable

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Who may see residents' records at all, and who may export them.
SEES_PEOPLE = {Role.LEADER, Role.INTAKE_OFFICER, Role.MEDIATOR, Role.GRID_WORKER, Role.ADMIN}
EXPORTS_PEOPLE = {Role.LEADER, Role.ADMIN}
# Who sees every case in their area (a unit handler sees only cases sent to their unit;
# an administrator manages accounts and the tree, not cases).
SEES_CASES = {Role.LEADER, Role.INTAKE_OFFICER, Role.MEDIATOR, Role.GRID_WORKER, Role.AUDITOR}


def personas() -> list[tuple[str, str, str]]:
    """(username, level, role) for every role at each level down to 白泥井镇's first
    grid, plus a grid worker of another town."""
    out = []
    for role in Role.values:
        out += [
            (f"city_{role}", "city", role),
            (f"dlt_{role}", "district", role),
            (f"bnj_{role}", "town", role),
            (f"bnj_c01_{role}", "community", role),
        ]
        grid_user = "bnj_grid001" if role == Role.GRID_WORKER else f"bnj_grid001_{role}"
        out.append((grid_user, "grid", role))
    out.append(("gy_grid01", "other_town_grid", Role.GRID_WORKER))
    return out


# Which targets each persona's area covers: the target in its own grid ("own_grid"),
# in another village of 白泥井镇 ("same_town"), and in 工业街道 ("other_town").
COVERS = {
    "city": {"own_grid", "same_town", "other_town"},
    "district": {"own_grid", "same_town", "other_town"},
    "town": {"own_grid", "same_town"},
    "community": {"own_grid"},
    "grid": {"own_grid"},
    "other_town_grid": set(),
}


@pytest.fixture
def city():
    load_demo()
    bnj = Area.objects.get(code=BAINIJING_CODE)
    gy = Area.objects.get(code=GONGYE_CODE)
    bnj_grids = list(Area.objects.within(bnj).filter(level=Level.GRID).order_by("path"))
    first_village = bnj_grids[0].parent
    other_village_grid = next(g for g in bnj_grids if g.parent_id != first_village.pk)
    gy_grids = list(Area.objects.within(gy).filter(level=Level.GRID).order_by("path"))
    grids = {
        "own_grid": bnj_grids[0],
        "same_town": other_village_grid,
        "other_town": gy_grids[-1],
    }
    people = {
        key: Person.objects.filter(area=grid).exclude(id_number="").order_by("pk").first()
        for key, grid in grids.items()
    }
    leader = User.objects.get(username="city_leader")
    cases = {key: register(leader, grid, title=f"矩阵测试{key}") for key, grid in grids.items()}
    assert all(people.values()), "the demo city puts residents in every grid"
    return {"grids": grids, "people": people, "cases": cases}


def observe(client: Client, target: str, city) -> dict[str, bool]:
    """What one signed-in user can reach of one target, action by action."""
    person = city["people"][target]
    case = city["cases"][target]
    grid = city["grids"][target]
    person_url = reverse("people:detail", args=[person.pk])
    case_url = reverse("cases:detail", args=[case.pk])

    listed = client.get(reverse("people:search"), {"q": person.name})
    searched = client.get(reverse("people:search"), {"q": person.id_number[-4:]})
    exported = client.get(reverse("people:export"), {"area": grid.pk})
    case_listed = client.get(reverse("cases:list"))
    case_searched = client.get(reverse("cases:list"), {"q": case.number})
    return {
        "person.list": listed.status_code == 200 and person_url in listed.content.decode(),
        "person.search": searched.status_code == 200 and person_url in searched.content.decode(),
        "person.detail": client.get(person_url).status_code == 200,
        "person.export": exported.status_code == 200,
        "area.count": client.get(reverse("areas:detail", args=[grid.pk])).status_code == 200,
        "case.list": case_listed.status_code == 200 and case_url in case_listed.content.decode(),
        "case.search": case_searched.status_code == 200
        and case_url in case_searched.content.decode(),
        "case.detail": client.get(case_url).status_code == 200,
    }


def expected(role: str, covered: bool) -> dict[str, bool]:
    return {
        "person.list": covered and role in SEES_PEOPLE,
        "person.search": covered and role in SEES_PEOPLE,
        "person.detail": covered and role in SEES_PEOPLE,
        "person.export": covered and role in EXPORTS_PEOPLE,
        "area.count": covered,
        "case.list": covered and role in SEES_CASES,
        "case.search": covered and role in SEES_CASES,
        "case.detail": covered and role in SEES_CASES,
    }


def test_every_role_at_every_level_reaches_exactly_its_own_subtree(city):
    mismatches = []
    for username, level, role in personas():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for target in ("own_grid", "same_town", "other_town"):
            seen = observe(client, target, city)
            want = expected(role, target in COVERS[level])
            mismatches += [
                f"{username} ({role}@{level}) {action} on {target}: got {seen[action]}"
                for action in want
                if seen[action] != want[action]
            ]
    assert not mismatches, "\n".join(mismatches)


def test_refusals_look_like_missing_records(city):
    """A grid worker of another town gets the same 404 page for a real record outside
    their grid as for a record that does not exist."""
    client = Client()
    client.force_login(User.objects.get(username="gy_grid01"))
    real = client.get(reverse("people:detail", args=[city["people"]["own_grid"].pk]))
    missing = client.get(reverse("people:detail", args=[10**9]))
    assert real.status_code == missing.status_code == 404
    assert comparable(real) == comparable(missing)
    real_case = client.get(reverse("cases:detail", args=[city["cases"]["own_grid"].pk]))
    missing_case = client.get(reverse("cases:detail", args=[10**9]))
    assert real_case.status_code == missing_case.status_code == 404
    assert comparable(real_case) == comparable(missing_case)


def test_exported_people_are_masked_and_from_the_area_only(city):
    import io

    from openpyxl import load_workbook

    client = Client()
    client.force_login(User.objects.get(username="bnj_leader"))
    response = client.get(reverse("people:export"), {"area": city["grids"]["own_grid"].pk})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    person = city["people"]["own_grid"]
    ids = {row[3] for row in rows[1:]}
    assert mask_id(person.id_number) in ids
    assert person.id_number not in ids
    grid_people = Person.objects.filter(area=city["grids"]["own_grid"]).count()
    assert len(rows) - 1 == grid_people
