"""The workbench's to-do list by role, the navigation badges, and the inbox."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fengqiao.cases import actions
from fengqiao.cases.models import Grade, Notification, Risk
from tests.cases.builders import register

from .helpers import dispatched_to_grid_worker


def groups(response) -> dict[str, list[str]]:
    return {g.key: [c.number for c in g.cases] for g in response.context["groups"]}


def test_intake_officer_sees_registered_cases_to_accept(signed_in, world):
    case = register(world.grid_worker, world.grid1)

    response = signed_in(world.intake).get(reverse("cases:workbench"))

    assert groups(response) == {"accept": [case.number]}


def test_grid_worker_sees_what_was_dispatched_to_them_not_the_neighbours(signed_in, world):
    case = dispatched_to_grid_worker(world)

    mine = signed_in(world.grid_worker).get(reverse("cases:workbench"))
    theirs = signed_in(world.other_grid_worker).get(reverse("cases:workbench"))

    assert groups(mine) == {"sign_for": [case.number]}
    assert groups(theirs) == {}
    assert "当前没有待办事项" in theirs.content.decode()


def test_unit_handler_sees_cases_dispatched_to_the_unit(signed_in, world):
    case = register(world.intake, world.grid1)
    actions.accept_case(actor=world.intake, case=case)
    actions.assess_case(actor=world.intake, case=case, grade=Grade.MAJOR, risk=Risk.BLUE)
    actions.dispatch_case(actor=world.director, case=case, unit=world.police)
    actions.sign_for_case(actor=world.police_handler, case=case)

    response = signed_in(world.police_handler).get(reverse("cases:workbench"))

    assert groups(response) == {"handle": [case.number]}


def test_leader_sees_a_pending_extension(signed_in, world):
    case = dispatched_to_grid_worker(world)
    actions.sign_for_case(actor=world.grid_worker, case=case)
    actions.request_extension(actor=world.grid_worker, case=case, days=2, reason="当事人外出")

    response = signed_in(world.director).get(reverse("cases:workbench"))

    assert groups(response)["extension"] == [case.number]


def test_urgent_cases_come_first(signed_in, world):
    calm = register(world.grid_worker, world.grid1)
    urgent = register(world.grid_worker, world.grid1)
    actions.accept_case(actor=world.intake, case=calm)
    actions.accept_case(actor=world.intake, case=urgent)
    for case in (calm, urgent):
        actions.assess_case(actor=world.intake, case=case, grade=Grade.MINOR, risk=Risk.BLUE)
    actions.mark_urgent(actor=world.director, case=urgent, note="群体性")

    response = signed_in(world.intake).get(reverse("cases:workbench"))

    assert groups(response)["dispatch"] == [urgent.number, calm.number]


def test_home_shows_the_to_do_panel_and_the_nav_badge(signed_in, world):
    register(world.grid_worker, world.grid1)
    register(world.grid_worker, world.grid1)

    page = signed_in(world.intake).get(reverse("home")).content.decode()

    assert 'data-testid="case-todo"' in page
    assert "待受理" in page
    assert 'data-testid="nav-badge">2<' in page


def test_workbench_queries_are_constant(signed_in, world, django_assert_num_queries):
    dispatched_to_grid_worker(world)
    client = signed_in(world.grid_worker)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:workbench"))
    for _ in range(6):
        dispatched_to_grid_worker(world)

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("cases:workbench"))

    assert len(groups(response)["sign_for"]) == 7


def test_dispatch_puts_a_notification_in_the_inbox_and_it_can_be_read(signed_in, world):
    case = dispatched_to_grid_worker(world)
    client = signed_in(world.grid_worker)

    page = client.get(reverse("cases:inbox")).content.decode()
    assert case.number in page
    assert 'data-testid="nav-badge">1<' in page

    note = Notification.objects.get(recipient=world.grid_worker)
    client.post(reverse("cases:inbox-read", args=[note.pk]))

    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_all_read_touches_only_the_users_own_notifications(signed_in, world):
    dispatched_to_grid_worker(world)
    other = Notification.objects.create(recipient=world.intake, kind="x", text="别人的通知")

    signed_in(world.grid_worker).post(reverse("cases:inbox-read-all"))

    assert not Notification.objects.filter(recipient=world.grid_worker, read_at=None).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_reading_someone_elses_notification_changes_nothing(signed_in, world):
    other = Notification.objects.create(recipient=world.intake, kind="x", text="别人的通知")

    signed_in(world.grid_worker).post(reverse("cases:inbox-read", args=[other.pk]))

    other.refresh_from_db()
    assert other.read_at is None
