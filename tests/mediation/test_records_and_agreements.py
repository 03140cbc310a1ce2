"""Sessions, records and agreements: what the law asks of each, refused when missing
and named in Chinese; the one-month rule; the judicial-confirmation window."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from fengqiao.mediation import actions, queries
from fengqiao.mediation.actions import ClauseInput
from fengqiao.mediation.errors import MediationError
from fengqiao.mediation.models import Agreement, MediationSession, SessionStatus

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def mediated(desk, case):
    """The case with its mediator and committee and one held session."""
    w = desk.world
    actions.assign_mediation(
        actor=w.mediator, case=case, mediator=w.mediator, committee=desk.committee
    )
    session = actions.schedule_session(
        actor=w.mediator,
        case=case,
        scheduled_at=timezone.now(),
        place_kind="van",
        place="流动调解车",
    )
    actions.record_session(
        actor=w.mediator,
        session=session,
        attendance={},
        is_simple=True,
        matter="漏水",
        outcome="再议",
    )
    return case


def full_record(**overrides):
    fields = {
        "attendance": {},
        "matter": "漏水维修",
        "outcome": "达成协议",
        "rights_notice_given": True,
        "applicant_statement": "要求赔偿",
        "respondent_statement": "同意维修",
        "verification": "现场查看属实",
        "risk_notice": "已告知",
    }
    fields.update(overrides)
    return fields


def test_a_full_record_names_each_missing_element(desk, mediated):
    session = actions.schedule_session(
        actor=desk.world.mediator,
        case=mediated,
        scheduled_at=timezone.now(),
        place_kind="field",
        place="地头",
    )
    with pytest.raises(MediationError) as refused:
        actions.record_session(
            actor=desk.world.mediator,
            session=session,
            **full_record(rights_notice_given=False, verification="", risk_notice=""),
        )
    assert refused.value.message == "笔录不完整，缺少：权利义务告知、调查核实情况、风险告知。"
    assert MediationSession.objects.get(pk=session.pk).status == SessionStatus.SCHEDULED


def test_a_simple_record_needs_only_matter_and_result(desk, mediated):
    session = mediated.mediation.sessions.get()
    record = session.record
    assert record.is_simple
    assert record.matter == "漏水"
    assert session.status == SessionStatus.HELD


def test_postponing_keeps_the_session_and_schedules_a_new_one(desk, mediated):
    w = desk.world
    first = actions.schedule_session(
        actor=w.mediator,
        case=mediated,
        scheduled_at=timezone.now(),
        place_kind="room",
        place="调解室",
    )
    new = actions.postpone_session(
        actor=w.mediator,
        session=first,
        scheduled_at=timezone.now() + dt.timedelta(days=2),
        reason="被申请人外出",
    )
    first.refresh_from_db()
    assert first.status == SessionStatus.POSTPONED
    assert new.number == first.number + 1
    absent = actions.mark_no_show(actor=w.mediator, session=new, note="李四未到")
    assert absent.status == SessionStatus.NO_SHOW


def draft(desk, case, **overrides):
    fields = {
        "facts": "漏水",
        "disputed_matters": "赔偿",
        "responsibilities": "李四负责",
        "clauses": [ClauseInput("赔偿1500元", "转账", dt.date(2026, 4, 1))],
    }
    fields.update(overrides)
    return actions.draft_agreement(actor=desk.world.mediator, case=case, **fields)


def test_the_completeness_check_names_every_missing_element(desk, mediated):
    agreement = draft(
        desk, mediated, facts="", responsibilities="", clauses=[ClauseInput("赔偿", "")]
    )
    with pytest.raises(MediationError) as refused:
        actions.make_effective(actor=desk.world.mediator, agreement=agreement)
    missing = refused.value.missing
    assert "主要事实" in missing
    assert "各方责任" in missing
    assert "第1条的履行方式" in missing
    assert "当事人张三签名（盖章或按指印）" in missing
    assert "调解员签名" in missing
    assert "调解委员会印章" in missing
    assert refused.value.message.startswith("协议尚不能生效，缺少：")
    assert Agreement.objects.get(pk=agreement.pk).status == "draft"


def test_a_clause_without_deadline_gets_the_default_thirty_days(desk, mediated):
    agreement = draft(desk, mediated, clauses=[ClauseInput("赔偿", "转账", None)])
    clause = agreement.clauses.get()
    assert clause.deadline == timezone.localdate() + dt.timedelta(days=30)


def test_revising_a_draft_clears_the_signatures(desk, mediated):
    agreement = draft(desk, mediated)
    actions.sign_agreement(actor=desk.world.mediator, agreement=agreement, signer="mediator")
    revised = draft(desk, mediated, facts="漏水三个月")
    assert revised.pk == agreement.pk
    assert revised.mediator_signed_at is None
    assert "调解员签名" in queries.missing_elements(revised)


def test_an_oral_agreement_needs_its_recorded_content_and_the_mediator(desk, mediated):
    agreement = draft(desk, mediated, is_oral=True, oral_content="", clauses=[])
    assert queries.missing_elements(agreement) == ["口头协议内容", "调解员签名"]


def sign_all(desk, agreement):
    for p in agreement.parties.all():
        actions.sign_agreement(
            actor=desk.world.mediator, agreement=agreement, signer=str(p.party_id)
        )
    actions.sign_agreement(actor=desk.world.mediator, agreement=agreement, signer="mediator")
    actions.sign_agreement(actor=desk.world.mediator, agreement=agreement, signer="seal")


def test_judicial_confirmation_within_thirty_days_and_the_warning(desk, mediated):
    with time_machine.travel(NOW, tick=False) as clock:
        agreement = draft(desk, mediated)
        sign_all(desk, agreement)
        agreement = actions.make_effective(actor=desk.world.mediator, agreement=agreement)
        assert queries.confirmation_warning(agreement) == ""
        clock.move_to(NOW + dt.timedelta(days=25))
        assert "5 天后届满" in queries.confirmation_warning(agreement)
        with pytest.raises(MediationError, match="30 日内"):
            actions.apply_confirmation(
                actor=desk.world.mediator,
                agreement=agreement,
                applied_on=dt.date(2026, 4, 2),
                court="东胜区人民法院",
            )
        actions.apply_confirmation(
            actor=desk.world.mediator,
            agreement=agreement,
            applied_on=dt.date(2026, 3, 27),
            court="东胜区人民法院",
        )
        assert queries.confirmation_warning(agreement) == ""
        row = actions.record_confirmation_result(
            actor=desk.world.mediator,
            agreement=agreement,
            result="confirmed",
            decided_on=dt.date(2026, 3, 30),
        )
        assert row.get_result_display() == "确认有效"


def test_mediation_beyond_one_month_needs_both_parties_consent(desk, mediated):
    with time_machine.travel(timezone.now() + dt.timedelta(days=31), tick=False):
        with pytest.raises(MediationError, match="须先记录双方当事人同意延长调解"):
            actions.schedule_session(
                actor=desk.world.mediator,
                case=mediated,
                scheduled_at=timezone.now(),
                place_kind="room",
                place="调解室",
            )
        actions.record_consent(
            actor=desk.world.mediator,
            case=mediated,
            until=timezone.localdate() + dt.timedelta(days=15),
            note="张三、李四均同意延长15日，已签字",
        )
        session = actions.schedule_session(
            actor=desk.world.mediator,
            case=mediated,
            scheduled_at=timezone.now(),
            place_kind="room",
            place="调解室",
        )
    assert session.number == 2


def test_failed_mediation_tells_the_routes_and_the_centre_refers_out(desk, mediated):
    w = desk.world
    with pytest.raises(MediationError, match="须告知当事人其他解决途径"):
        actions.fail_mediation(actor=w.mediator, case=mediated, reason="分歧过大", routes=[])
    with pytest.raises(MediationError, match="须由中心决定"):
        actions.fail_mediation(
            actor=w.mediator,
            case=mediated,
            reason="分歧过大",
            routes=["litigation"],
            then="refer_out",
            explanation="告知向法院起诉",
        )
    # the mediator records it; the centre is told to decide
    actions.fail_mediation(
        actor=w.mediator, case=mediated, reason="分歧过大", routes=["litigation", "arbitration"]
    )
    assert w.intake.notifications.filter(kind="med_failed").exists()
    mediated.refresh_from_db()
    assert mediated.state == "in_progress"
    # the centre's officer records and refers out in one step, with the written explanation
    actions.fail_mediation(
        actor=w.intake,
        case=mediated,
        reason="分歧过大",
        routes=["litigation", "administrative"],
        then="refer_out",
        explanation="书面告知当事人可向东胜区人民法院起诉",
    )
    mediated.refresh_from_db()
    assert mediated.state == "referred_out"
    assert mediated.mediation.routes_told == ["litigation", "administrative"]


def test_a_risk_of_escalation_is_sent_to_the_units_members(desk, mediated):
    w = desk.world
    actions.report_risk(
        actor=w.mediator, case=mediated, unit=w.police, note="双方言语冲突，可能激化"
    )
    assert w.police_handler.notifications.filter(kind="risk_notice").exists()
    assert mediated.timeline.filter(action="risk_notice").exists()
