"""Assessment meetings: the agenda comes from the data; decisions become action items
that reach their owner's workbench, are closed by the owner only, and are carried into
the next meeting's agenda until done; a missing meeting shows as overdue."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from fengqiao.cases import actions as case_actions
from fengqiao.meetings import actions, queries
from fengqiao.meetings.models import ActionItemStatus, MeetingStatus
from tests.analytics.helpers import closed_case, red_case
from tests.cases.builders import register


def _plan(world, start, end):
    return actions.plan_meeting(
        actor=world.director, area=world.street, period_start=start, period_end=end
    )


def _month():
    today = timezone.localdate()
    return today.replace(day=1), today


def test_agenda_is_generated_from_the_data(world, other_street):
    # Given a red-risk case, a closed case and a repeat dispute in the street
    red = red_case(world, world.grid1)
    closed_case(world, world.grid2)
    first = register(world.director, world.grid1, title="第一次纠纷")
    register(world.director, world.grid1, title="重复纠纷", links=[(first, "duplicate")])
    register(other_street[2], other_street[1], title="昭君纠纷")
    waiting = register(world.director, world.grid2, title="申请延期的纠纷")
    case_actions.accept_case(actor=world.director, case=waiting)
    case_actions.assess_case(
        actor=world.director,
        case=waiting,
        grade="hard",
        risk="blue",
        owner=world.director,
        responsibility="牵头",
        deadline=_month()[1],
    )
    case_actions.dispatch_case(actor=world.director, case=waiting, unit=world.police)
    case_actions.sign_for_case(actor=world.police_handler, case=waiting)
    case_actions.request_extension(
        actor=world.police_handler, case=waiting, days=3, reason="当事人外出"
    )
    # When the director plans the month's meeting
    meeting = _plan(world, *_month())
    agenda = meeting.agenda
    # Then the agenda lists them, and nothing from the other street
    assert sum(c["n"] for c in agenda["new_by_category"]) == 5
    assert [r["number"] for r in agenda["risks"]] == [red.number]
    assert [r["title"] for r in agenda["repeat"]] == ["重复纠纷"]
    assert "昭君" not in str(agenda)
    # And the extension request waits for a leader's decision
    assert waiting.number in [c["number"] for c in agenda["awaiting_centre"]]
    assert agenda["hotspots"][0]["area"] == "工业社区第1网格"


def test_action_item_flows_to_owner_is_closed_and_leaves_next_agenda(client, world):
    start, end = _month()
    meeting = _plan(world, start, end)
    actions.hold_meeting(
        actor=world.director,
        meeting=meeting,
        attendees="王主任、吴调解",
        minutes="研究了红色风险事项。",
    )
    # Given two decisions, one for the mediator and one for the community leader
    done = actions.add_action_item(
        actor=world.director,
        meeting=meeting,
        title="上门回访漏水纠纷双方",
        owner=world.mediator,
        responsibility="核实协议履行",
        deadline=end + dt.timedelta(days=7),
    )
    left = actions.add_action_item(
        actor=world.director,
        meeting=meeting,
        title="排查第1网格土地边界",
        owner=world.community_leader,
        responsibility="组织排查",
        deadline=end + dt.timedelta(days=7),
    )
    # When the mediator opens the workbench
    client.force_login(world.mediator)
    home = client.get(reverse("home")).content.decode()
    # Then the item is there, and only theirs, and their inbox says so
    assert "上门回访漏水纠纷双方" in home
    inbox = client.get(reverse("cases:inbox")).content.decode()
    assert "研判会决定事项「上门回访漏水纠纷双方」由您负责" in inbox
    assert "排查第1网格土地边界" not in home
    # And they close it through its page
    page = client.post(
        reverse("meetings:item", kwargs={"pk": done.pk}), {"result": "已回访，已履行"}
    )
    assert page.status_code == 302
    done.refresh_from_db()
    assert done.status == ActionItemStatus.DONE
    assert "上门回访漏水纠纷双方" not in client.get(reverse("home")).content.decode()
    # Then the next meeting carries over only the unfinished one
    following = _plan(world, end + dt.timedelta(days=1), end + dt.timedelta(days=30))
    carried = [i["title"] for i in following.agenda["carried_over"]]
    assert carried == [left.title]


def test_only_the_owner_closes_an_item(client, world):
    meeting = _plan(world, *_month())
    item = actions.add_action_item(
        actor=world.director,
        meeting=meeting,
        title="化解红色风险",
        owner=world.mediator,
        responsibility="牵头",
        deadline=timezone.localdate(),
    )
    with pytest.raises(actions.MeetingError):
        actions.complete_action_item(actor=world.director, item=item, result="代为办结")
    client.force_login(world.grid_worker)
    assert client.get(reverse("meetings:item", kwargs={"pk": item.pk})).status_code == 404
    item.refresh_from_db()
    assert item.status == ActionItemStatus.OPEN


def test_three_fixes_are_required(world):
    meeting = _plan(world, *_month())
    with pytest.raises(actions.MeetingError, match="定责"):
        actions.add_action_item(
            actor=world.director,
            meeting=meeting,
            title="x",
            owner=world.mediator,
            responsibility="",
            deadline=timezone.localdate(),
        )


def test_overdue_item_shows_red(client, world):
    meeting = _plan(world, *_month())
    actions.add_action_item(
        actor=world.director,
        meeting=meeting,
        title="逾期事项",
        owner=world.mediator,
        responsibility="牵头",
        deadline=timezone.localdate(),
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        client.force_login(world.mediator)  # a fresh session: the old one has idled out
        page = client.get(reverse("meetings:items"))
        client.force_login(world.director)
        supervised = client.get(reverse("meetings:list"))
    assert page.context["items"][0].light == "red"
    # And the organiser sees it among the overdue items they supervise
    assert [i.title for i in supervised.context["overdue_items"]] == ["逾期事项"]


def test_missing_meeting_is_overdue_and_a_held_one_is_not(world):
    # Given no meeting yet: the street (monthly) and its community (weekly) are overdue
    status = {d.area.name: d for d in queries.cadence_status(world.director)}
    assert status["工业街道"].is_overdue
    assert status["工业社区"].is_overdue
    # When the street holds its meeting for the period up to today
    today = timezone.localdate()
    meeting = _plan(world, today - dt.timedelta(days=29), today)
    actions.hold_meeting(actor=world.director, meeting=meeting, attendees="全体", minutes="纪要")
    assert meeting.area == world.street
    status = {d.area.name: d for d in queries.cadence_status(world.director)}
    # Then the street is on time until a month later; the community is still overdue
    assert not status["工业街道"].is_overdue
    assert status["工业街道"].due_on == today + dt.timedelta(days=30)
    assert status["工业社区"].is_overdue


def test_others_cannot_plan_or_see_meetings(client, world, other_street):
    with pytest.raises(actions.MeetingError):
        actions.plan_meeting(
            actor=other_street[2],
            area=world.street,
            period_start=timezone.localdate(),
            period_end=timezone.localdate(),
        )
    meeting = _plan(world, *_month())
    client.force_login(other_street[2])
    assert client.get(reverse("meetings:detail", kwargs={"pk": meeting.pk})).status_code == 404
    client.force_login(world.grid_worker)
    assert client.get(reverse("meetings:list")).status_code == 404


def test_meeting_pages_plan_and_hold(client, world):
    client.force_login(world.director)
    start, end = _month()
    page = client.post(
        reverse("meetings:list"),
        {"area": world.street.pk, "period_start": start, "period_end": end, "title": ""},
    )
    assert page.status_code == 302
    detail = client.get(page["Location"])
    assert detail.status_code == 200
    assert "一、本期新登记事项（按类别）" in detail.content.decode()
    held = client.post(
        page["Location"], {"form": "minutes", "attendees": "王主任", "minutes": "纪要"}
    )
    assert held.status_code == 302
    assert detail.context["meeting"].__class__.objects.get().status == MeetingStatus.HELD
