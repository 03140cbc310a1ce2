"""Sessions (time, place, participants, postponement, no-show) and their records (笔录)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from fengqiao.cases.models import Case

from .. import access
from ..errors import MediationCode as Code
from ..errors import MediationError
from ..models import (
    MediationSession,
    PlaceKind,
    SessionRecord,
    SessionStatus,
)
from .base import (
    _event,
    _in_handling,
    _lock,
    _mediation,
    _refuse,
    _text,
    _within_month,
)


def schedule_session(
    *,
    actor,
    case: Case,
    scheduled_at: dt.datetime,
    place_kind: str,
    place: str,
    participants: str = "",
) -> MediationSession:
    """安排调解: time, place (incl. field site 田间 or the mobile van 流动车), participants."""
    if not access.may_mediate(actor, case):
        _refuse(actor, case, "session", "您无权安排该事项的调解。")
    if place_kind not in PlaceKind.values:
        raise MediationError(Code.INVALID, "地点类型无效。", field="place_kind")
    place = _text(place, "调解地点", 200)
    with transaction.atomic():
        locked = _lock(case)
        _in_handling(locked, "安排调解")
        mediation = _mediation(locked)
        _within_month(mediation)
        session = MediationSession.objects.create(
            mediation=mediation,
            number=mediation.sessions.count() + 1,
            scheduled_at=scheduled_at,
            place_kind=place_kind,
            place=place,
            participants=(participants or "").strip()[:2000],
            created_by=actor,
        )
        when = timezone.localtime(scheduled_at).strftime("%Y-%m-%d %H:%M")
        _event(
            locked,
            actor,
            "med_session",
            f"第{session.number}次调解：{when}，{PlaceKind(place_kind).label}·{place}",
            {"session": session.pk},
        )
    return session


def _locked_session(session: MediationSession) -> tuple[Case, MediationSession]:
    case = _lock(session.mediation.case)
    return case, MediationSession.objects.select_for_update().get(pk=session.pk)


def postpone_session(
    *, actor, session: MediationSession, scheduled_at: dt.datetime, reason: str
) -> MediationSession:
    """延期: the session stays on record as postponed; a new one is scheduled."""
    case = session.mediation.case
    if not access.may_mediate(actor, case):
        _refuse(actor, case, "session", "您无权安排该事项的调解。")
    reason = _text(reason, "延期原因", 500)
    with transaction.atomic():
        locked, current = _locked_session(session)
        _in_handling(locked, "安排调解")
        if current.status != SessionStatus.SCHEDULED:
            raise MediationError(Code.NOT_NOW, "只能延期尚未举行的调解。")
        current.status, current.status_note = SessionStatus.POSTPONED, reason
        current.save(update_fields=["status", "status_note"])
        mediation = current.mediation
        _within_month(mediation)
        new = MediationSession.objects.create(
            mediation=mediation,
            number=mediation.sessions.count() + 1,
            scheduled_at=scheduled_at,
            place_kind=current.place_kind,
            place=current.place,
            participants=current.participants,
            created_by=actor,
        )
        when = timezone.localtime(scheduled_at).strftime("%Y-%m-%d %H:%M")
        _event(
            locked,
            actor,
            "med_postpone",
            f"第{current.number}次调解延期至 {when}：{reason}",
            {"session": current.pk, "new_session": new.pk},
        )
    return new


def mark_no_show(*, actor, session: MediationSession, note: str) -> MediationSession:
    """当事人未到场."""
    case = session.mediation.case
    if not access.may_mediate(actor, case):
        _refuse(actor, case, "session", "您无权记录该事项的调解。")
    note = _text(note, "未到场情况", 500)
    with transaction.atomic():
        locked, current = _locked_session(session)
        if current.status != SessionStatus.SCHEDULED:
            raise MediationError(Code.NOT_NOW, "该次调解已有结果。")
        current.status, current.status_note = SessionStatus.NO_SHOW, note
        current.save(update_fields=["status", "status_note"])
        _event(locked, actor, "med_no_show", f"第{current.number}次调解：{note}")
    return current


def record_missing(
    *,
    is_simple: bool,
    matter: str,
    outcome: str,
    rights_notice_given: bool,
    applicant_statement: str,
    respondent_statement: str,
    verification: str,
    risk_notice: str,
) -> list[str]:
    """The elements a session record lacks (REFERENCE §1); a simple one needs two."""
    needed = [("调解事项", matter), ("调解结果", outcome)]
    if not is_simple:
        needed += [
            ("权利义务告知", "是" if rights_notice_given else ""),
            ("申请人陈述", applicant_statement),
            ("被申请人陈述", respondent_statement),
            ("调查核实情况", verification),
            ("风险告知", risk_notice),
        ]
    return [label for label, value in needed if not (value or "").strip()]


def record_session(
    *,
    actor,
    session: MediationSession,
    attendance: dict,
    is_simple: bool = False,
    matter: str,
    outcome: str,
    rights_notice_given: bool = False,
    applicant_statement: str = "",
    respondent_statement: str = "",
    verification: str = "",
    risk_notice: str = "",
) -> SessionRecord:
    """调解笔录 of a session: who came, and every element the law asks of the record."""
    case = session.mediation.case
    if not access.may_mediate(actor, case):
        _refuse(actor, case, "record", "您无权记录该事项的调解。")
    texts = {
        "matter": matter,
        "outcome": outcome,
        "applicant_statement": applicant_statement,
        "respondent_statement": respondent_statement,
        "verification": verification,
        "risk_notice": risk_notice,
    }
    texts = {k: (v or "").strip() for k, v in texts.items()}
    for key, value in texts.items():
        if len(value) > 10000:
            raise MediationError(Code.INVALID, "笔录内容过长（每项不超过 10000 字）。", field=key)
    missing = record_missing(is_simple=is_simple, rights_notice_given=rights_notice_given, **texts)
    if missing:
        raise MediationError(
            Code.RECORD_INCOMPLETE, f"笔录不完整，缺少：{'、'.join(missing)}。", missing=missing
        )
    with transaction.atomic():
        locked, current = _locked_session(session)
        _in_handling(locked, "记录调解")
        if current.status not in (SessionStatus.SCHEDULED, SessionStatus.HELD):
            raise MediationError(Code.NOT_NOW, "该次调解已延期或当事人未到，不能记录笔录。")
        party_ids = {str(p) for p in locked.parties.values_list("pk", flat=True)}
        unknown = set(map(str, attendance)) - party_ids
        if unknown:
            raise MediationError(Code.INVALID, "到场情况中有不属于本案的当事人。")
        current.attendance = {str(k): bool(v) for k, v in attendance.items()}
        current.status = SessionStatus.HELD
        current.save(update_fields=["attendance", "status"])
        row, _ = SessionRecord.objects.update_or_create(
            session=current,
            defaults={
                "is_simple": is_simple,
                "rights_notice_given": rights_notice_given,
                "recorder": actor,
                "recorded_at": timezone.now(),
                **texts,
            },
        )
        _event(
            locked,
            actor,
            "med_record",
            f"第{current.number}次调解笔录：{texts['outcome'][:200]}",
            {"session": current.pk, "simple": is_simple},
        )
    return row
