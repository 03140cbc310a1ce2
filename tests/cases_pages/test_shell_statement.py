"""When the layout's badges and roles are not kept (``core.shell``), they are read in one
statement; its counts are the to-do list's and the inbox's own, on any data."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fengqiao.accounts.models import Assignment, Role, User
from fengqiao.cases import queries, workbench
from fengqiao.cases.models import Case, CoHandler, Extension, ExtensionStatus, Notification
from fengqiao.cases.states import State
from fengqiao.core import shell
from fengqiao.core.context_processors import _roles
from fengqiao.units.models import UnitMember
from tests import factories as f
from tests.cases.builders import register

from .helpers import dispatched_to_grid_worker
from .test_shell import badges

PERSONAS = [
    "director",
    "intake",
    "community_leader",
    "mediator",
    "grid_worker",
    "other_grid_worker",
    "property_handler",
    "police_handler",
    "judicial_handler",
]


def old_todo_count(user) -> int:
    """The to-do badge as it was counted: the list's filter, its lists read first."""
    if not workbench.has_case_duties(user):
        return 0
    return queries.todo_for(user).order_by().values("pk")[: workbench.LIMIT].count()


def old_unread_count(user) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    return unread[: workbench.BADGE_CAP + 1].count()


def assignments_of(user) -> list[Assignment]:
    """The user's roles as the layout listed them before they joined the one statement."""
    return list(user.assignments.select_related("area").order_by("area__path", "role"))


def read_in_one_statement(user) -> dict:
    """The user's badges and roles as the shell reads them, checking it is one statement."""
    parts = {
        "todo": workbench.todo_badge(user),
        "unread": workbench.unread_badge(user),
        "roles": _roles(user),
    }
    columns = {name: part for name, part in parts.items() if isinstance(part, shell.Column)}
    with CaptureQueriesContext(connection) as captured:
        values = shell.read_columns(columns)
    assert len(captured.captured_queries) == 1
    return {**parts, **values}


def fresh(user) -> User:
    """The user as a new request sees them (grants read again)."""
    return User.objects.get(pk=user.pk)


def shuffle_the_city(world, cases: list[Case], rng: random.Random) -> None:
    """Give the cases random states, places, handlers, units, co-handlers, pending
    extensions, and the personas random notifications and unit memberships."""
    places = [world.city, world.district, world.street, world.community, world.grid1, world.grid2]
    people = [getattr(world, name) for name in PERSONAS]
    units = [world.police, world.judicial, world.property_company]
    CoHandler.objects.all().delete()
    Extension.objects.all().delete()
    Notification.objects.all().delete()
    for case in cases:
        place = rng.choice(places)
        Case.objects.filter(pk=case.pk).update(
            state=rng.choice(list(State)),
            handling_area=place,
            handling_area_path=place.path,
            current_handler=rng.choice([None, *people]),
            current_unit=rng.choice([None, *units]),
            is_urgent=rng.random() < 0.2,
        )
        for _ in range(rng.choice([0, 0, 1, 2])):
            if rng.random() < 0.5:
                CoHandler.objects.create(case=case, unit=rng.choice(units))
            else:
                CoHandler.objects.create(case=case, user=rng.choice(people))
        for status in rng.sample(list(ExtensionStatus), k=rng.choice([0, 1, 2])):
            Extension.objects.create(
                case=case,
                days=3,
                reason="需要补充材料",
                status=status,
                requested_by=world.grid_worker,
                requested_at=timezone.now(),
            )
    for person in people:
        for _ in range(rng.randrange(4)):
            read_at = timezone.now() if rng.random() < 0.4 else None
            Notification.objects.create(
                recipient=person, kind="dispatch", text="派单", read_at=read_at
            )
    # Memberships are data, not grants: the units' subquery must follow them.
    UnitMember.objects.filter(user__in=[world.grid_worker, world.mediator]).delete()
    for person in (world.grid_worker, world.mediator):
        for unit in rng.sample(units, k=rng.randrange(3)):
            UnitMember.objects.create(unit=unit, user=person)


@pytest.mark.parametrize("seed", range(6))
def test_the_one_statement_counts_what_the_old_counts_counted(world, seed):
    # Given cases in random states, places and hands, co-handlers, pending extensions
    # and notifications, and besides the street's personas a city leader and a superuser
    rng = random.Random(seed)
    cases = [register(world.intake, rng.choice([world.grid1, world.grid2])) for _ in range(24)]
    users = [getattr(world, name) for name in PERSONAS]
    users += [
        f.user(f"city_leader_{seed}", Role.LEADER, world.city),
        f.user(f"root_{seed}", is_superuser=True),
        f.user(f"nobody_{seed}"),
    ]
    shuffle_the_city(world, cases, rng)

    for user in users:
        # When the shell reads the badges in one statement
        found = read_in_one_statement(fresh(user))

        # Then they equal the counts of the to-do list's filter and of the inbox
        assert found["todo"] == old_todo_count(fresh(user)), user.username
        assert found["unread"] == old_unread_count(fresh(user)), user.username
        assert workbench.count_for(fresh(user)) == found["todo"]
        assert workbench.unread_rows(fresh(user)).count() == found["unread"]


def test_the_badge_stops_at_its_cap_as_before(world, monkeypatch):
    # Given a street director with five cases to accept, and a cap of three
    for _ in range(5):
        register(world.intake, world.grid1)
    monkeypatch.setattr(workbench, "LIMIT", 3)

    # When the badge is read in one statement (compiled afresh, with this cap)
    found = shell.read_columns({"todo": shell.count_of(workbench.todo_rows(world.director))})

    # Then it stops at the cap, as the old count did
    assert found["todo"] == old_todo_count(world.director) == 3


def test_the_roles_are_those_of_assignments_of_in_the_same_order(world):
    # Given a user with roles on several areas, two of them on the street
    user = world.mediator
    Assignment.objects.create(user=user, area=world.grid2, role=Role.GRID_WORKER)
    Assignment.objects.create(user=user, area=world.street, role=Role.INTAKE_OFFICER)
    Assignment.objects.create(user=user, area=world.street, role=Role.AUDITOR)
    Assignment.objects.create(user=user, area=world.city, role=Role.AUDITOR)

    # When the shell reads them in its statement
    roles = read_in_one_statement(fresh(user))["roles"]

    # Then they are the same roles on the same areas, outermost first
    def shown(assignments):
        return [
            (a.pk, a.role, a.get_role_display(), a.area.pk, a.area.name, a.area.get_level_display())
            for a in assignments
        ]

    assert shown(roles) == shown(assignments_of(user))
    assert len(roles) == 5
    assert read_in_one_statement(fresh(world.property_handler))["roles"] != []
    assert read_in_one_statement(f.user("no_roles"))["roles"] == []


def test_a_page_reads_its_badges_and_roles_in_one_statement(signed_in, world):
    # Given the street's intake officer with a case to accept (no revisit badge)
    register(world.grid_worker, world.grid1)
    client = signed_in(world.intake)

    # When a page is shown without a kept shell
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cases:list"))

    # Then one statement reads the to-do count, the unread count and the roles
    touching = [
        q["sql"]
        for q in captured.captured_queries
        if "cases_notification" in q["sql"] or "accounts_assignment a" in q["sql"]
    ]
    assert len(touching) == 1
    assert "cases_case" in touching[0]
    assert badges(response) == ["1"]
    # and the revisits badge, whose entry they are not shown, is not counted
    assert not [q for q in captured.captured_queries if "mediation_revisit" in q["sql"]]
    assert world.street.name in response.content.decode()


def test_a_new_grant_shows_in_the_badge_at_once(signed_in, world):
    # Given a grid worker with nothing to do, and a registered case in the street
    register(world.intake, world.grid1)
    client = signed_in(world.grid_worker)
    assert badges(client.get(reverse("cases:workbench"))) == []

    # When they are made the street's intake officer
    Assignment.objects.create(user=world.grid_worker, area=world.street, role=Role.INTAKE_OFFICER)

    # Then the next page counts the case to accept (the statement follows the grants)
    assert badges(client.get(reverse("cases:workbench"))) == ["1"]


def test_a_fragment_without_the_layout_reads_no_badge(signed_in, world):
    # Given a grid worker with a case dispatched to them
    dispatched_to_grid_worker(world)
    client = signed_in(world.grid_worker)

    # When the case list's results are asked for by htmx (a fragment, not the layout)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cases:list"), headers={"HX-Request": "true"})

    # Then neither the badges nor the roles are read
    assert response.status_code == 200
    assert "nav-badge" not in response.content.decode()
    assert not [
        q
        for q in captured.captured_queries
        if "cases_notification" in q["sql"] or "accounts_assignment a" in q["sql"]
    ]
