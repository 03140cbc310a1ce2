"""Revisits with the clock frozen: they appear on the right day on the right mediator's
workbench; a change of mediator moves them; a case closes only when they are done or
waived by a leader."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fengqiao.cases import actions as case_actions
from fengqiao.cases.errors import CaseError
from fengqiao.mediation import actions, queries
from fengqiao.mediation.actions import ClauseInput
from fengqiao.mediation.errors import MediationError
from fengqiao.mediation.models import Revisit, RevisitStatus
from tests.factories import PASSWORD

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def effective_agreement(desk, case, deadline=dt.date(2026, 3, 12)):
    w = desk.world
    actions.assign_mediation(
        actor=w.mediator, case=case, mediator=w.mediator, committee=desk.committee
    )
    session = actions.schedule_session(
        actor=w.mediator, case=case, scheduled_at=MONDAY, place_kind="room", place="调解室"
    )
    actions.record_session(
        actor=w.mediator,
        session=session,
        attendance={},
        is_simple=True,
        matter="漏水",
        outcome="和解",
    )
    agreement = actions.draft_agreement(
        actor=w.mediator,
        case=case,
        facts="漏水",
        disputed_matters="赔偿",
        responsibilities="李四负责",
        clauses=[ClauseInput("修复防水", "自行维修", deadline)],
    )
    for p in agreement.parties.all():
        actions.sign_agreement(actor=w.mediator, agreement=agreement, signer=str(p.party_id))
    actions.sign_agreement(actor=w.mediator, agreement=agreement, signer="mediator")
    actions.sign_agreement(actor=w.mediator, agreement=agreement, signer="seal")
    return actions.make_effective(actor=w.mediator, agreement=agreement)


def completed_with_agreement(desk, case, deadline=dt.date(2026, 3, 12)):
    """An effective agreement, then completion: the revisits are booked at completion."""
    agreement = effective_agreement(desk, case, deadline)
    case_actions.complete_case(actor=desk.world.mediator, case=case, feedback="已达成协议")
    return agreement


def workbench_of(user) -> str:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client.get("/").content.decode()


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY, tick=False) as clock:
        yield clock


def test_revisits_appear_on_the_right_day_on_the_right_workbench(desk, case, frozen):
    # given a case completed on Monday with an agreement whose clause is due on the 12th
    w = desk.world
    effective_agreement(desk, case)
    # an effective agreement alone books nothing: revisits come with completion
    assert not Revisit.objects.filter(case=case).exists()
    case_actions.complete_case(actor=w.mediator, case=case, feedback="已达成协议")
    # on Monday nothing is due yet: no panel
    assert queries.revisits_for(w.mediator).total == 0
    assert 'data-testid="revisit-panel"' not in workbench_of(w.mediator)
    # on Tuesday the next-day revisit is due on the mediator's workbench
    frozen.move_to(MONDAY + dt.timedelta(days=1))
    due = queries.revisits_for(w.mediator)
    assert [r.kind for r in due.due_today] == ["next_day"]
    page = workbench_of(w.mediator)
    assert 'data-testid="revisit-panel"' in page
    assert case.number in page
    # …and on nobody else's
    assert queries.revisits_for(desk.street_mediator).total == 0
    assert 'data-testid="revisit-panel"' not in workbench_of(desk.street_mediator)
    # on Wednesday it is overdue; on the 12th the clause revisit joins it
    frozen.move_to(dt.datetime(2026, 3, 12, 8, 0, tzinfo=MONDAY.tzinfo))
    due = queries.revisits_for(w.mediator)
    assert [r.kind for r in due.overdue] == ["next_day"]
    assert [r.kind for r in due.due_today] == ["clause"]
    assert "逾期" in workbench_of(w.mediator)


def test_a_change_of_mediator_moves_the_open_revisits(desk, case, frozen):
    w = desk.world
    completed_with_agreement(desk, case)
    frozen.move_to(MONDAY + dt.timedelta(days=1))
    done = Revisit.objects.get(case=case, kind="next_day")
    actions.record_revisit(
        actor=w.mediator,
        revisit=done,
        finding=actions.RevisitFinding(
            method="phone",
            contacted="张三",
            performance={str(done.agreement.clauses.get().pk): "not_due"},
            satisfaction="satisfied",
        ),
    )
    # when the street's mediator takes over
    actions.change_mediator(
        actor=w.intake, case=case, mediator=desk.street_mediator, reason="吴调解借调"
    )
    # then the open clause revisit is theirs; the done one stays with who did it
    open_one = Revisit.objects.get(case=case, kind="clause")
    assert open_one.owner == desk.street_mediator
    assert Revisit.objects.get(pk=done.pk).owner == w.mediator
    frozen.move_to(dt.datetime(2026, 3, 12, 9, 0, tzinfo=MONDAY.tzinfo))
    assert queries.revisits_for(w.mediator).total == 0
    assert [r.pk for r in queries.revisits_for(desk.street_mediator).due_today] == [open_one.pk]
    assert 'data-testid="revisit-panel"' in workbench_of(desk.street_mediator)
    assert case.timeline.filter(action="med_change", data__revisits_moved=1).exists()


def _complete_and_verify(desk, case):
    case_actions.complete_case(actor=desk.world.mediator, case=case, feedback="已达成协议")
    assert Revisit.objects.filter(case=case, status="due").exists()
    case_actions.verify_case(actor=desk.world.intake, case=case)
    case_actions.start_revisit(actor=desk.world.intake, case=case)


def test_a_case_closes_only_when_its_revisits_are_done_or_waived(desk, case, frozen):
    effective_agreement(desk, case)
    _complete_and_verify(desk, case)
    with pytest.raises(CaseError, match="回访未完成"):
        case_actions.close_case(actor=desk.world.intake, case=case)
    # only a leader of the handling level may waive
    with pytest.raises(MediationError, match="领导"):
        actions.waive_revisits(actor=desk.world.mediator, case=case, reason="当事人已搬离")
    count = actions.waive_revisits(
        actor=desk.world.community_leader, case=case, reason="当事人已搬离本市，无法联系"
    )
    assert count == 2
    assert set(Revisit.objects.filter(case=case).values_list("status", flat=True)) == {
        RevisitStatus.WAIVED
    }
    case_actions.close_case(actor=desk.world.intake, case=case)
    assert case.state == "closed"


def test_dissatisfaction_outside_the_centres_duty_does_not_reopen(desk, case, frozen):
    effective_agreement(desk, case)
    _complete_and_verify(desk, case)
    frozen.move_to(MONDAY + dt.timedelta(days=1))
    revisit = Revisit.objects.get(case=case, kind="next_day")
    actions.record_revisit(
        actor=desk.world.mediator,
        revisit=revisit,
        finding=actions.RevisitFinding(
            method="phone",
            contacted="李四",
            performance={str(revisit.agreement.clauses.get().pk): "not_due"},
            satisfaction="dissatisfied",
            dissatisfaction_reason="对法律规定本身不满",
            within_duty=False,
        ),
    )
    case.refresh_from_db()
    assert case.state == "revisiting"
    assert not Revisit.objects.get(pk=revisit.pk).reopened


def test_a_revisit_must_say_how_each_clause_was_performed(desk, case, frozen):
    completed_with_agreement(desk, case)
    revisit = Revisit.objects.get(case=case, kind="next_day")
    with pytest.raises(MediationError, match="第1条的履行情况"):
        actions.record_revisit(
            actor=desk.world.mediator,
            revisit=revisit,
            finding=actions.RevisitFinding(
                method="phone", contacted="张三", performance={}, satisfaction="satisfied"
            ),
        )
    with pytest.raises(MediationError, match="无权"):
        actions.record_revisit(
            actor=desk.street_mediator,
            revisit=revisit,
            finding=actions.RevisitFinding(
                method="phone", contacted="张三", performance={}, satisfaction="satisfied"
            ),
        )


def test_the_revisits_badge_is_read_with_the_layouts_other_badges(desk, case, frozen):
    # given the mediator's next-day revisit, due on Tuesday
    completed_with_agreement(desk, case)
    frozen.move_to(MONDAY + dt.timedelta(days=1))
    client = Client()
    client.login(username=desk.world.mediator.username, password=PASSWORD)

    # when a page is shown (the suite keeps no shell: it is read on every request)
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/cases/").content.decode()

    # then the revisits badge counts it, read in the one statement that reads the roles
    revisit_reads = [q["sql"] for q in captured.captured_queries if "mediation_revisit" in q["sql"]]
    assert len(revisit_reads) == 1
    assert "accounts_assignment" in revisit_reads[0]
    badge = re.search(
        r'href="/mediation/revisits/"(?:(?!</a>).)*data-testid="nav-badge">(\d+)<', page, re.S
    )
    assert badge is not None
    assert badge.group(1) == "1"
