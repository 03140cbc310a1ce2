"""The case page shows everything about a case (parties masked) and only the actions the
user may take now; the act endpoint takes those and refuses everything else."""

import inspect

import pytest
from django.urls import reverse

from fengqiao.cases.actions import ACTIONS
from fengqiao.cases.forms import ACTION_FORMS
from fengqiao.cases.models import Case, Grade, Risk, TimelineEvent
from fengqiao.cases.states import Action, State
from tests.cases.builders import party, register

from .helpers import dispatched_to_grid_worker


def action_buttons(response) -> set[str]:
    import re

    return set(re.findall(r'data-action="([a-z_]+)"', response.content.decode()))


def test_case_page_shows_facts_and_masked_parties(signed_in, world):
    case = register(
        world.intake,
        world.grid1,
        parties=[party(name="巴特尔", id_number="152602199003071236", phone="13812345678")],
    )

    response = signed_in(world.intake).get(reverse("cases:detail", args=[case.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert case.number in page
    assert "巴特尔" in page
    assert "1526**********1236" in page
    assert "138****5678" in page
    assert "152602199003071236" not in page
    assert "13812345678" not in page
    assert "登记" in page  # the timeline


def test_registered_case_offers_the_intake_officer_accept_and_decline(signed_in, world):
    case = register(world.intake, world.grid1)

    response = signed_in(world.intake).get(reverse("cases:detail", args=[case.pk]))

    assert action_buttons(response) == {"accept", "decline"}


def test_the_grid_worker_sees_a_registered_case_but_may_not_act(signed_in, world):
    case = register(world.grid_worker, world.grid1)

    response = signed_in(world.grid_worker).get(reverse("cases:detail", args=[case.pk]))

    assert response.status_code == 200
    assert action_buttons(response) == set()
    assert "当前没有需要您办理的操作" in response.content.decode()


def test_a_dispatched_case_offers_its_handler_sign_for_and_return(signed_in, world):
    case = dispatched_to_grid_worker(world)

    response = signed_in(world.grid_worker).get(reverse("cases:detail", args=[case.pk]))

    assert {"sign_for", "return"} <= action_buttons(response)
    assert "dispatch" not in action_buttons(response)


@pytest.mark.parametrize("persona", ["other_grid_worker", "police_handler"])
def test_cases_outside_reach_are_404(signed_in, world, persona):
    case = register(world.intake, world.grid1)
    client = signed_in(getattr(world, persona))

    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert client.post(reverse("cases:act", args=[case.pk, "accept"])).status_code == 404
    missing = client.get(reverse("cases:detail", args=[case.pk + 1000]))
    assert missing.status_code == 404


def test_accept_through_the_page_moves_the_case(signed_in, world):
    case = register(world.intake, world.grid1)

    response = signed_in(world.intake).post(
        reverse("cases:act", args=[case.pk, "accept"]), {"accept-note": "材料齐全"}
    )

    case.refresh_from_db()
    assert response.status_code == 302
    assert case.state == State.ACCEPTED
    assert case.timeline.last().note == "材料齐全"


def test_assess_through_the_page_takes_its_fields(signed_in, world):
    case = register(world.intake, world.grid1)
    client = signed_in(world.intake)
    client.post(reverse("cases:act", args=[case.pk, "accept"]))

    client.post(
        reverse("cases:act", args=[case.pk, "assess"]),
        {"assess-grade": Grade.MAJOR, "assess-risk": Risk.YELLOW, "assess-urgency": "medium"},
    )

    case.refresh_from_db()
    assert (case.state, case.grade, case.risk) == (State.ASSESSED, Grade.MAJOR, Risk.YELLOW)
    assert case.handling_area == world.community


def test_a_refused_action_shows_its_chinese_message_and_changes_nothing(signed_in, world):
    # Given an accepted case; red risk needs a lead leader
    case = register(world.intake, world.grid1)
    client = signed_in(world.intake)
    client.post(reverse("cases:act", args=[case.pk, "accept"]))
    events = TimelineEvent.objects.count()

    # When assessed red without a lead leader (htmx, from the modal)
    response = client.post(
        reverse("cases:act", args=[case.pk, "assess"]),
        {"assess-grade": Grade.MINOR, "assess-risk": Risk.RED, "assess-urgency": "low"},
        HTTP_HX_REQUEST="true",
    )

    # Then the form comes back with the message, and nothing changed
    assert "红色风险事项须确定包案领导。" in response.content.decode()
    case.refresh_from_db()
    assert (case.state, case.risk) == (State.ACCEPTED, "")
    assert TimelineEvent.objects.count() == events


def test_a_missing_reason_is_refused_in_chinese(signed_in, world):
    case = register(world.intake, world.grid1)

    response = signed_in(world.intake).post(
        reverse("cases:act", args=[case.pk, "decline"]), {"decline-reason": ""}, follow=True
    )

    assert "这个字段是必填项。" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.REGISTERED


def test_act_refuses_an_action_the_state_table_forbids(signed_in, world):
    case = register(world.intake, world.grid1)

    response = signed_in(world.intake).post(reverse("cases:act", args=[case.pk, "dispatch"]))

    assert response.status_code == 403
    assert "事项当前为“已登记”，不能“派单”。" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.REGISTERED


def test_act_refuses_an_action_the_user_may_not_take(signed_in, world):
    # The grid worker can see the case in their grid, but only the centre accepts
    case = register(world.grid_worker, world.grid1)

    response = signed_in(world.grid_worker).post(reverse("cases:act", args=[case.pk, "accept"]))

    assert response.status_code == 403
    assert "您无权对该事项执行“受理”。" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.REGISTERED


def test_act_refuses_the_handlers_step_to_another_grid_worker(signed_in, world):
    case = dispatched_to_grid_worker(world)
    world.other_grid_worker.assignments.create(area=world.grid1, role="grid_worker")

    response = signed_in(world.other_grid_worker).post(
        reverse("cases:act", args=[case.pk, "sign_for"])
    )

    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED


def test_an_unknown_action_is_404(signed_in, world):
    case = register(world.intake, world.grid1)

    response = signed_in(world.intake).post(reverse("cases:act", args=[case.pk, "explode"]))

    assert response.status_code == 404


def test_act_answers_htmx_with_a_redirect_to_the_case(signed_in, world):
    case = register(world.intake, world.grid1)

    response = signed_in(world.intake).post(
        reverse("cases:act", args=[case.pk, "accept"]), HTTP_HX_REQUEST="true"
    )

    assert response["HX-Redirect"] == reverse("cases:detail", args=[case.pk])


def test_dispatch_shows_deadlines_and_light(signed_in, world):
    case = dispatched_to_grid_worker(world)

    page = signed_in(world.intake).get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert "办理期限（黄牌）" in page
    assert 'data-light="normal"' in page


def test_case_page_queries_do_not_grow_with_parties_and_events(
    signed_in, world, django_assert_max_num_queries
):
    small = dispatched_to_grid_worker(world, parties=[party(name="甲")])
    big = dispatched_to_grid_worker(
        world, parties=[party(name=f"当事人{i}", phone=f"1380000{i:04d}") for i in range(6)]
    )
    client = signed_in(world.grid_worker)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(reverse("cases:detail", args=[small.pk]))
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("cases:detail", args=[big.pk]))


@pytest.mark.parametrize("action", list(Action))
def test_every_action_form_fits_its_action(action):
    # Given the form of an action, its fields must be keywords of the action function
    form_class = ACTION_FORMS[action]
    parameters = inspect.signature(ACTIONS[action]).parameters

    assert set(form_class.base_fields) <= set(parameters) - {"actor", "case"}


def test_intake_officer_corrects_the_facts_from_the_case_page(signed_in, world):
    # given a registered case, seen by the street's intake officer
    case = register(world.grid_worker, world.grid1)
    client = signed_in(world.intake)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="facts-button"' in page
    assert 'data-testid="facts-form"' in page

    # when the officer posts a corrected title and narrative
    response = client.post(
        reverse("cases:facts", args=[case.pk]),
        {
            "title": "草场边界纠纷",
            "narrative": "两户牧民因草场边界发生争执",
            "category": case.category_id,
            "area": world.grid1.pk,
            "people_count": 2,
            "note": "电话核实",
        },
    )

    # then the case page shows the new facts and its timeline the correction
    assert response.status_code == 302
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "草场边界纠纷" in page
    assert "更正事项情况" in page
    assert TimelineEvent.objects.filter(case=case, action="update_facts").count() == 1


def test_the_facts_form_is_not_offered_to_the_grid_worker_nor_after_dispatch(signed_in, world):
    registered = register(world.grid_worker, world.grid1)
    dispatched = dispatched_to_grid_worker(world)

    worker = signed_in(world.grid_worker).get(reverse("cases:detail", args=[registered.pk]))
    assert 'data-testid="facts-button"' not in worker.content.decode()
    intake = signed_in(world.intake).get(reverse("cases:detail", args=[dispatched.pk]))
    assert 'data-testid="facts-button"' not in intake.content.decode()

    # and posting anyway is refused and changes nothing
    refused = signed_in(world.intake).post(
        reverse("cases:facts", args=[dispatched.pk]),
        {
            "title": "派单后",
            "narrative": "x",
            "category": dispatched.category_id,
            "area": world.grid1.pk,
            "people_count": 1,
        },
    )
    assert refused.status_code == 403
    dispatched.refresh_from_db()
    assert dispatched.title != "派单后"
