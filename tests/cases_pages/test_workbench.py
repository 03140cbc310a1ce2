"""The workbench's to-do list by role, the navigation badges, and the inbox."""

import datetime as dt

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


def reasons(response) -> dict[str, str]:
    return {c.number: c.todo_reason for g in response.context["groups"] for c in g.cases}


def test_each_entry_says_why_it_is_on_the_list(signed_in, world):
    registered = register(world.grid_worker, world.grid1)
    mine = dispatched_to_grid_worker(world)

    centre = signed_in(world.intake).get(reverse("cases:workbench"))
    handler = signed_in(world.grid_worker).get(reverse("cases:workbench"))

    assert reasons(centre)[registered.number] == "由工业社区第1网格办理，待您受理"
    assert reasons(handler) == {mine.number: "派给您本人 · 待签收"}
    assert "派给您本人 · 待签收" in handler.content.decode()


def test_co_handling_units_handlers_see_the_case_and_why(signed_in, world):
    # given a case handled by the police station with the judicial office co-handling
    case = register(world.intake, world.grid1)
    actions.accept_case(actor=world.intake, case=case)
    actions.assess_case(actor=world.intake, case=case, grade=Grade.MAJOR, risk=Risk.BLUE)
    actions.dispatch_case(actor=world.director, case=case, unit=world.police)
    actions.add_co_handler(actor=world.director, case=case, unit=world.judicial)

    judicial = signed_in(world.judicial_handler).get(reverse("cases:workbench"))
    police = signed_in(world.police_handler).get(reverse("cases:workbench"))

    # then the judicial office's handler finds it among co-handled cases
    assert groups(judicial) == {"co_handle": [case.number]}
    assert reasons(judicial) == {case.number: "您所在的工业街道司法所协办 · 待签收"}
    assert reasons(police) == {case.number: "派给您所在的工业街道派出所 · 待签收"}


def test_a_co_handling_person_sees_the_case(signed_in, world):
    case = dispatched_to_grid_worker(world)
    actions.add_co_handler(actor=world.intake, case=case, user=world.mediator)

    response = signed_in(world.mediator).get(reverse("cases:workbench"))

    assert groups(response) == {"co_handle": [case.number]}
    assert reasons(response) == {case.number: "您是协办人 · 待签收"}


def test_a_verified_case_waits_for_its_handler_to_start_the_revisit(signed_in, world):
    # given a case the grid worker completed and the centre verified
    case = dispatched_to_grid_worker(world)
    actions.sign_for_case(actor=world.grid_worker, case=case)
    actions.start_handling(actor=world.grid_worker, case=case)
    actions.complete_case(actor=world.grid_worker, case=case, feedback="已维修")
    actions.verify_case(actor=world.intake, case=case)

    handler = signed_in(world.grid_worker).get(reverse("cases:workbench"))
    neighbour = signed_in(world.other_grid_worker).get(reverse("cases:workbench"))

    # then it is on the grid worker's list, with the revisit as the step, and no one else's
    assert groups(handler) == {"revisit": [case.number]}
    assert reasons(handler) == {case.number: "派给您本人 · 已核查，由您转入回访"}
    assert groups(neighbour) == {}
    # when the grid worker starts the revisit, it leaves the list
    actions.start_revisit(actor=world.grid_worker, case=case)
    assert groups(signed_in(world.grid_worker).get(reverse("cases:workbench"))) == {}


def test_the_verifier_sees_the_verification_deadline_and_its_light(signed_in, world, time_machine):
    # given a grid worker's case completed on Tuesday 30 Sep 2025 at 16:00 Beijing time
    time_machine.move_to(dt.datetime(2025, 9, 30, 8, 0, tzinfo=dt.UTC), tick=False)
    case = dispatched_to_grid_worker(world)
    actions.sign_for_case(actor=world.grid_worker, case=case)
    actions.start_handling(actor=world.grid_worker, case=case)
    actions.complete_case(actor=world.grid_worker, case=case, feedback="已维修")

    # when the intake officer opens the workbench after the holiday, past the deadline
    time_machine.move_to(dt.datetime(2025, 10, 9, 8, 30, tzinfo=dt.UTC), tick=False)
    response = signed_in(world.intake).get(reverse("cases:workbench"))

    # then the case waits for verification, yellow, with its verification deadline
    assert groups(response) == {"verify": [case.number]}
    assert reasons(response) == {case.number: "由工业社区第1网格办理，待您核查"}
    entry = response.context["groups"][0].cases[0]
    assert entry.light == "yellow"
    page = response.content.decode()
    assert "核查期限 10-09 16:00" in page
    assert 'data-light="yellow"' in page
