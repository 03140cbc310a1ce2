"""Every write of mediation, agreements, revisits and ratings. Views, the API and the
public page call these and nothing else.

Each action runs in one transaction with the case row locked (two mediators may act on
one case at once), checks the actor through ``mediation.access``, and writes exactly one
timeline event and one audit record through the cases machinery. Moves of the case's
state (reopen, refer out, shelve, revisit) go through ``cases.actions``.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from fengqiao.audit.log import record_refusal
from fengqiao.cases import actions as case_actions
from fengqiao.cases.access import may_take
from fengqiao.cases.actions.base import deciders_at, handlers_of, write_event
from fengqiao.cases.models import Case
from fengqiao.cases.notify import notify
from fengqiao.cases.states import Action, State

from . import access, queries
from .errors import MediationCode as Code
from .errors import MediationError
from .models import (
    Agreement,
    AgreementParty,
    AgreementStatus,
    Clause,
    ConfirmationResult,
    FlareUpRisk,
    JudicialConfirmation,
    Mediation,
    MediationSession,
    MediationStatus,
    MediatorRelation,
    PanelMember,
    PlaceKind,
    Rating,
    Revisit,
    RevisitKind,
    RevisitMethod,
    RevisitStatus,
    Satisfaction,
    SessionRecord,
    SessionStatus,
    SignMethod,
)

# The states in which a case is being handled, so mediation can go on.
HANDLING = frozenset({State.SIGNED_FOR, State.IN_PROGRESS, State.SENT_BACK})
# 《人民调解工作若干规定》: a mediation normally ends within one month.
MEDIATION_DAYS = 30
DEFAULT_PERFORMANCE_DAYS = 30
CONFIRMATION_DAYS = 30  # 《人民调解法》第三十三条
ROUTES = {"litigation": "诉讼", "arbitration": "仲裁", "administrative": "行政途径"}
PERFORMED, NOT_PERFORMED, NOT_DUE = "performed", "not_performed", "not_due"
PERFORMANCE = {PERFORMED: "已履行", NOT_PERFORMED: "未履行", NOT_DUE: "未到期"}


@dataclass(frozen=True)
class ClauseInput:
    content: str
    performance_way: str
    deadline: dt.date | None = None


# --- helpers -------------------------------------------------------------------------


def _text(value: str, label: str, limit: int = 5000, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise MediationError(Code.INVALID, f"请填写{label}。", field=label)
    if len(value) > limit:
        raise MediationError(Code.INVALID, f"{label}过长（不超过 {limit} 字）。", field=label)
    return value


def _refuse(actor, case, what: str, message: str):
    record_refusal(actor=actor, perm=f"mediation.{what}", obj=case)
    raise MediationError(Code.FORBIDDEN, message)


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("area", "handling_area", "current_unit")
        .get(pk=case.pk)
    )


def _event(case: Case, actor, action: str, note: str = "", data: dict | None = None) -> None:
    write_event(case, actor=actor, action=action, from_state=case.state, note=note, data=data or {})


def _centre_of(case: Case) -> list:
    """Who decides for the centre: whoever dispatched the case, and the leaders and
    intake officers placed on the handling level."""
    return [case.dispatched_by, *deciders_at(case.handling_area)]


def _in_handling(case: Case, doing: str) -> None:
    if case.state not in HANDLING:
        raise MediationError(Code.NOT_NOW, f"事项当前为“{State(case.state).label}”，不能{doing}。")


def _mediation(case: Case) -> Mediation:
    mediation = Mediation.objects.select_for_update().filter(case=case).first()
    if mediation is None:
        raise MediationError(Code.NOT_NOW, "该事项尚未指派调解员。")
    return mediation


def _check_mediator(case: Case, user) -> None:
    if not access.mediators_for(case).filter(pk=user.pk).exists():
        raise MediationError(
            Code.NOT_A_MEDIATOR, f"“{user}”不是本区域（或上级区域）的调解员。", field="mediator"
        )
    reasons = access.conflicts_of(user, case)
    if reasons:
        raise MediationError(
            Code.CONFLICT_OF_INTEREST,
            f"“{user}”须回避，不能担任本案调解员：{'；'.join(reasons)}。",
            field="mediator",
        )


def _within_month(mediation: Mediation) -> None:
    """Beyond one month from the start, only with both parties' consent on record."""
    today = timezone.localdate()
    limit = timezone.localdate(mediation.started_at) + dt.timedelta(days=MEDIATION_DAYS)
    if today <= limit or (mediation.extended_until and today <= mediation.extended_until):
        return
    raise MediationError(
        Code.CONSENT_REQUIRED,
        "调解已超过一个月，须先记录双方当事人同意延长调解。",
    )


# --- Mediators ----------------------------------------------------------------------------


def declare_relation(*, actor, mediator, person, relation: str) -> MediatorRelation:
    """Record a mediator's tie to a resident, so that they are never assigned to a case
    where that resident is a party."""
    relation = _text(relation, "关系", 50)
    with transaction.atomic():
        row, _ = MediatorRelation.objects.update_or_create(
            mediator=mediator,
            person=person,
            defaults={"relation": relation, "declared_by": actor},
        )
        from fengqiao.audit.log import record

        record(
            "mediation.declare_relation",
            actor=actor,
            area=person.area,
            obj=row,
            detail={"mediator": mediator.get_username(), "relation": relation},
        )
    return row


def assign_mediation(
    *, actor, case: Case, mediator, panel: Sequence = (), committee=None, note: str = ""
) -> Mediation:
    """指派调解员 (or a panel) and a mediation committee, after the conflict check."""
    if not access.may_assign(actor, case):
        _refuse(actor, case, "assign", "您无权为该事项指派调解员。")
    with transaction.atomic():
        locked = _lock(case)
        _in_handling(locked, "指派调解员")
        if Mediation.objects.filter(case=locked).exists():
            raise MediationError(Code.NOT_NOW, "已指派调解员；如需更换，请使用“更换调解员”。")
        members = [mediator, *[m for m in panel if m.pk != mediator.pk]]
        for member in members:
            _check_mediator(locked, member)
        if (
            committee is not None
            and not access.committees_for(locked).filter(pk=committee.pk).exists()
        ):
            raise MediationError(
                Code.INVALID, f"“{committee}”不是本区域的调解委员会。", field="committee"
            )
        mediation = Mediation.objects.create(
            case=locked,
            mediator=mediator,
            committee=committee,
            started_at=timezone.now(),
            created_by=actor,
        )
        for member in members[1:]:
            PanelMember.objects.create(mediation=mediation, user=member)
        names = "、".join(str(m) for m in members)
        _event(
            locked,
            actor,
            "med_assign",
            note or f"调解员：{names}" + (f"；{committee}" if committee else ""),
            {"mediator": mediator.pk, "panel": [m.pk for m in members[1:]]},
        )
        notify(
            [m for m in members if m.pk != getattr(actor, "pk", None)],
            case=locked,
            kind="med_assign",
            text=f"您被指派调解事项 {locked.number}「{locked.title}」",
        )
    return mediation


def change_mediator(*, actor, case: Case, mediator, reason: str) -> Mediation:
    """更换调解员; their open revisits move to the new mediator (谁调解、谁负责)."""
    if not access.may_assign(actor, case):
        _refuse(actor, case, "change_mediator", "您无权更换该事项的调解员。")
    reason = _text(reason, "更换理由", 500)
    with transaction.atomic():
        locked = _lock(case)
        mediation = _mediation(locked)
        if mediation.mediator_id == mediator.pk:
            raise MediationError(Code.INVALID, "新调解员与原调解员相同。", field="mediator")
        _check_mediator(locked, mediator)
        before = mediation.mediator
        mediation.mediator = mediator
        mediation.save(update_fields=["mediator"])
        mediation.panel.filter(user=mediator).delete()
        moved = Revisit.objects.filter(case=locked, status=RevisitStatus.DUE).update(owner=mediator)
        _event(
            locked,
            actor,
            "med_change",
            f"{before} → {mediator}：{reason}",
            {"from": before.pk, "to": mediator.pk, "revisits_moved": moved},
        )
        notify([mediator], case=locked, kind="med_change", text=f"您接手调解事项 {locked.number}")
    return mediation


def record_consent(*, actor, case: Case, until: dt.date, note: str) -> Mediation:
    """Both parties consent to mediation beyond one month; recorded with its term."""
    if not access.may_mediate(actor, case):
        _refuse(actor, case, "consent", "您无权记录该事项的调解延长。")
    note = _text(note, "双方当事人同意延长的情况", 500)
    with transaction.atomic():
        locked = _lock(case)
        mediation = _mediation(locked)
        if until <= timezone.localdate():
            raise MediationError(Code.INVALID, "延长至的日期须晚于今天。", field="until")
        mediation.extended_until, mediation.consent_note = until, note
        mediation.save(update_fields=["extended_until", "consent_note"])
        _event(locked, actor, "med_consent", note, {"until": until.isoformat()})
    return mediation


# --- Sessions and records ----------------------------------------------------------------


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


# --- Agreements ----------------------------------------------------------------------------


def _clauses(clauses: Sequence[ClauseInput]) -> list[ClauseInput]:
    cleaned = []
    default = timezone.localdate() + dt.timedelta(days=DEFAULT_PERFORMANCE_DAYS)
    for index, clause in enumerate(clauses, start=1):
        content = (clause.content or "").strip()
        way = (clause.performance_way or "").strip()
        if not content and not way:
            continue
        if len(content) > 2000 or len(way) > 300:
            raise MediationError(Code.INVALID, f"第{index}条内容过长。", field="clauses")
        cleaned.append(ClauseInput(content, way, clause.deadline or default))
    return cleaned


def draft_agreement(
    *,
    actor,
    case: Case,
    is_oral: bool = False,
    facts: str = "",
    disputed_matters: str = "",
    responsibilities: str = "",
    oral_content: str = "",
    clauses: Sequence[ClauseInput] = (),
) -> Agreement:
    """Write (or revise) the draft agreement. Incomplete drafts are kept — the
    completeness check runs when the agreement is to take effect. Revising a draft
    clears the signatures already given: they were given to other words."""
    if not access.may_mediate(actor, case):
        _refuse(actor, case, "agreement", "您无权起草该事项的调解协议。")
    fields = {
        "facts": _text(facts, "主要事实", required=False),
        "disputed_matters": _text(disputed_matters, "争议事项", required=False),
        "responsibilities": _text(responsibilities, "各方责任", required=False),
        "oral_content": _text(oral_content, "口头协议内容", required=False),
    }
    cleaned = _clauses(clauses)
    with transaction.atomic():
        locked = _lock(case)
        _in_handling(locked, "起草调解协议")
        mediation = _mediation(locked)
        _within_month(mediation)
        if not MediationSession.objects.filter(
            mediation=mediation, status=SessionStatus.HELD
        ).exists():
            raise MediationError(Code.NOT_NOW, "须先举行调解并记录笔录，才能起草协议。")
        agreement = mediation.agreements.filter(status=AgreementStatus.DRAFT).first()
        revised = agreement is not None
        if agreement is None:
            agreement = Agreement(
                mediation=mediation,
                number=mediation.agreements.count() + 1,
                created_by=actor,
            )
        agreement.is_oral = is_oral
        for name, value in fields.items():
            setattr(agreement, name, value)
        agreement.mediator_signed_at = agreement.sealed_at = None
        agreement.save()
        agreement.clauses.all().delete()
        for number, clause in enumerate(cleaned, start=1):
            Clause.objects.create(
                agreement=agreement,
                number=number,
                content=clause.content,
                performance_way=clause.performance_way,
                deadline=clause.deadline,
            )
        agreement.parties.all().delete()
        for party in locked.parties.select_related("person").order_by("role", "pk"):
            person = party.person
            AgreementParty.objects.create(
                agreement=agreement,
                party=party,
                name=person.name,
                role=party.role,
                sex=person.get_sex_display() if person.sex != "unknown" else "",
                ethnicity=person.ethnicity,
                id_number=person.id_number,
                address=person.address,
                phone=person.phone,
            )
        kind = "口头协议" if is_oral else "调解协议书"
        _event(
            locked,
            actor,
            "agr_revise" if revised else "agr_draft",
            f"{kind}（第{agreement.number}份）{'已修改' if revised else '已起草'}，"
            f"共 {len(cleaned)} 条",
            {"agreement": agreement.pk},
        )
    return agreement


def _locked_agreement(agreement: Agreement) -> tuple[Case, Agreement]:
    case = _lock(agreement.mediation.case)
    return case, Agreement.objects.select_for_update().get(pk=agreement.pk)


def sign_agreement(
    *, actor, agreement: Agreement, signer: str, method: str = SignMethod.SIGNATURE
) -> Agreement:
    """Record one signature: a party's (``signer`` = the cases Party id, signed, sealed
    or fingerprinted), the mediator's (``"mediator"``) or the committee seal
    (``"seal"``)."""
    case = agreement.mediation.case
    if not access.may_mediate(actor, case):
        _refuse(actor, case, "sign", "您无权登记该协议的签署。")
    if method not in SignMethod.values:
        raise MediationError(Code.INVALID, "签署方式无效。", field="method")
    with transaction.atomic():
        locked, current = _locked_agreement(agreement)
        if current.status != AgreementStatus.DRAFT:
            raise MediationError(Code.NOT_NOW, "协议已生效或已被变更，不能再签署。")
        now = timezone.now()
        if signer == "mediator":
            current.mediator_signed_at = now
            current.save(update_fields=["mediator_signed_at"])
            label = f"调解员{current.mediation.mediator}签名"
        elif signer == "seal":
            if current.mediation.committee_id is None:
                raise MediationError(Code.NOT_NOW, "尚未指定调解委员会，无法盖章。")
            current.sealed_at = now
            current.save(update_fields=["sealed_at"])
            label = f"{current.mediation.committee}盖章"
        else:
            row = current.parties.filter(party_id=_int(signer)).first()
            if row is None:
                raise MediationError(Code.INVALID, "签署人不是本协议的当事人。", field="signer")
            row.signed_at, row.sign_method = now, method
            row.save(update_fields=["signed_at", "sign_method"])
            label = f"{row.name}{SignMethod(method).label}"
        _event(locked, actor, "agr_sign", label, {"agreement": current.pk, "signer": signer})
    return current


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _cancel_revisits(agreement: Agreement) -> int:
    return Revisit.objects.filter(agreement=agreement, status=RevisitStatus.DUE).update(
        status=RevisitStatus.CANCELLED
    )


def _schedule_revisits(case: Case, agreement: Agreement, owner) -> list[Revisit]:
    """The day after (by phone, as 12345 practice has it) and at each clause's deadline."""
    today = timezone.localdate()
    rows = [
        Revisit(
            case=case,
            agreement=agreement,
            kind=RevisitKind.NEXT_DAY,
            due_on=today + dt.timedelta(days=1),
            owner=owner,
        )
    ]
    for clause in agreement.clauses.all():
        rows.append(
            Revisit(
                case=case,
                agreement=agreement,
                clause=clause,
                kind=RevisitKind.CLAUSE_DEADLINE,
                due_on=max(clause.deadline, today + dt.timedelta(days=1)),
                owner=owner,
            )
        )
    return Revisit.objects.bulk_create(rows)


def make_effective(*, actor, agreement: Agreement) -> Agreement:
    """The agreement takes effect — only when every Art. 29 element and every signature
    is there; otherwise the refusal names each missing one. Revisits are scheduled now,
    for the mediator; an earlier agreement of the case is superseded."""
    case = agreement.mediation.case
    if not access.may_mediate(actor, case):
        _refuse(actor, case, "effective", "您无权使该协议生效。")
    with transaction.atomic():
        locked, current = _locked_agreement(agreement)
        _in_handling(locked, "使协议生效")
        if current.status != AgreementStatus.DRAFT:
            raise MediationError(Code.NOT_NOW, "协议已生效或已被变更。")
        missing = queries.missing_elements(current)
        if missing:
            raise MediationError(
                Code.AGREEMENT_INCOMPLETE,
                f"协议尚不能生效，缺少：{'、'.join(missing)}。",
                missing=missing,
            )
        mediation = current.mediation
        superseded = []
        for old in mediation.agreements.filter(status=AgreementStatus.EFFECTIVE):
            old.status = AgreementStatus.SUPERSEDED
            old.save(update_fields=["status"])
            _cancel_revisits(old)
            superseded.append(old.number)
        current.status, current.effective_at = AgreementStatus.EFFECTIVE, timezone.now()
        current.save(update_fields=["status", "effective_at"])
        mediation.status = MediationStatus.SUCCEEDED
        mediation.save(update_fields=["status"])
        revisits = _schedule_revisits(locked, current, mediation.mediator)
        dates = "、".join(sorted({r.due_on.isoformat() for r in revisits}))
        _event(
            locked,
            actor,
            "agr_effective",
            f"第{current.number}份协议生效；回访安排：{dates}",
            {"agreement": current.pk, "superseded": superseded, "revisits": len(revisits)},
        )
    return current


def apply_confirmation(
    *, actor, agreement: Agreement, applied_on: dt.date, court: str
) -> JudicialConfirmation:
    """司法确认申请, within 30 days of the agreement taking effect (Art. 33)."""
    case = agreement.mediation.case
    if not access.may_mediate(actor, case):
        _refuse(actor, case, "confirmation", "您无权登记司法确认。")
    court = _text(court, "受理法院", 100)
    with transaction.atomic():
        locked, current = _locked_agreement(agreement)
        if current.status != AgreementStatus.EFFECTIVE or current.is_oral:
            raise MediationError(Code.NOT_NOW, "只有已生效的书面调解协议可以申请司法确认。")
        last = queries.confirmation_deadline(current)
        if applied_on > last or applied_on < timezone.localdate(current.effective_at):
            raise MediationError(
                Code.CONFIRMATION_WINDOW,
                f"司法确认须在协议生效之日起 30 日内申请（截至 {last:%Y-%m-%d}）。",
                field="applied_on",
            )
        if JudicialConfirmation.objects.filter(agreement=current).exists():
            raise MediationError(Code.NOT_NOW, "已登记司法确认申请。")
        row = JudicialConfirmation.objects.create(
            agreement=current, applied_on=applied_on, court=court
        )
        _event(locked, actor, "judicial_apply", f"向{court}申请司法确认", {"agreement": current.pk})
    return row


def record_confirmation_result(
    *, actor, agreement: Agreement, result: str, decided_on: dt.date, note: str = ""
) -> JudicialConfirmation:
    """The court's ruling on the application."""
    case = agreement.mediation.case
    if not access.may_mediate(actor, case):
        _refuse(actor, case, "confirmation", "您无权登记司法确认。")
    if result not in (ConfirmationResult.CONFIRMED, ConfirmationResult.REJECTED):
        raise MediationError(Code.INVALID, "司法确认结果无效。", field="result")
    with transaction.atomic():
        locked, current = _locked_agreement(agreement)
        row = JudicialConfirmation.objects.select_for_update().filter(agreement=current).first()
        if row is None:
            raise MediationError(Code.NOT_NOW, "尚未登记司法确认申请。")
        row.result, row.decided_on, row.note = result, decided_on, (note or "")[:500]
        row.save(update_fields=["result", "decided_on", "note"])
        label = ConfirmationResult(result).label
        _event(locked, actor, "judicial_result", f"{row.court}：{label}", {"agreement": current.pk})
    return row


# --- Failure and risk ------------------------------------------------------------------------


def fail_mediation(
    *,
    actor,
    case: Case,
    reason: str,
    routes: Sequence[str],
    then: str = "",
    explanation: str = "",
) -> Mediation:
    """调解不成: the reason, and the other routes the parties were told of (诉讼、仲裁、
    行政); then, when the actor decides for the centre, refer out or shelve with the
    written explanation — otherwise the centre is told to decide."""
    if not (access.may_mediate(actor, case) or access.may_decide(actor, case)):
        _refuse(actor, case, "fail", "您无权记录该事项调解不成。")
    reason = _text(reason, "调解不成的原因", 2000)
    routes = list(dict.fromkeys(routes))
    if not routes or any(r not in ROUTES for r in routes):
        raise MediationError(
            Code.INVALID, "须告知当事人其他解决途径（诉讼、仲裁、行政途径）。", field="routes"
        )
    if then and then not in ("refer_out", "shelve"):
        raise MediationError(Code.INVALID, "后续处理无效。", field="then")
    if then:
        explanation = _text(explanation, "书面说明", 2000)
        if not access.may_decide(actor, case):
            _refuse(actor, case, "fail", "转法定途径或挂账须由中心决定。")
    with transaction.atomic():
        locked = _lock(case)
        _in_handling(locked, "记录调解不成")
        mediation = _mediation(locked)
        mediation.status, mediation.failure_reason = MediationStatus.FAILED, reason
        mediation.routes_told = routes
        mediation.save(update_fields=["status", "failure_reason", "routes_told"])
        told = "、".join(ROUTES[r] for r in routes)
        _event(locked, actor, "med_failed", f"{reason}（已告知：{told}）", {"routes": routes})
        if then == "refer_out":
            case_actions.refer_out(actor=actor, case=locked, note=explanation)
        elif then == "shelve":
            case_actions.shelve_case(actor=actor, case=locked, note=explanation)
        else:
            notify(
                _centre_of(locked),
                case=locked,
                kind="med_failed",
                text=f"事项 {locked.number} 调解不成，请决定转法定途径或挂账",
            )
    case.refresh_from_db()
    return mediation


def report_risk(*, actor, case: Case, unit, note: str) -> Case:
    """矛盾可能激化: tell the relevant unit at once (its members' inboxes)."""
    if not access.may_mediate(actor, case):
        _refuse(actor, case, "risk", "您无权为该事项通报风险。")
    note = _text(note, "风险情况", 1000)
    with transaction.atomic():
        locked = _lock(case)
        members = [m.user for m in unit.members.select_related("user")]
        _event(locked, actor, "risk_notice", f"已通报{unit}：{note}", {"unit": unit.pk})
        notify(
            members + _centre_of(locked),
            case=locked,
            kind="risk_notice",
            text=f"风险预警：事项 {locked.number} {note}"[:300],
        )
    return locked


# --- Revisits ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RevisitFinding:
    method: str
    contacted: str
    performance: dict  # {clause id: performed / not_performed / not_due}
    satisfaction: str
    dissatisfaction_reason: str = ""
    within_duty: bool = False
    has_sued: bool = False
    flare_up_risk: str = FlareUpRisk.NONE
    measures: str = ""
    note: str = ""


def _check_finding(revisit: Revisit, finding: RevisitFinding) -> dict:
    if finding.method not in RevisitMethod.values:
        raise MediationError(Code.INVALID, "请选择回访方式。", field="method")
    _text(finding.contacted, "回访对象", 100)
    if finding.satisfaction not in Satisfaction.values:
        raise MediationError(Code.INVALID, "请选择满意度。", field="satisfaction")
    if finding.satisfaction == Satisfaction.DISSATISFIED:
        _text(finding.dissatisfaction_reason, "不满意原因", 500)
    if finding.flare_up_risk not in FlareUpRisk.values:
        raise MediationError(Code.INVALID, "反弹风险无效。", field="flare_up_risk")
    if finding.flare_up_risk == FlareUpRisk.HIGH:
        _text(finding.measures, "采取的措施", 500)
    clauses = list(revisit.agreement.clauses.all()) if revisit.agreement_id else []
    given = {str(k): v for k, v in finding.performance.items()}
    performance = {}
    for clause in clauses:
        value = given.get(str(clause.pk), "")
        if value not in PERFORMANCE:
            raise MediationError(
                Code.INVALID, f"请填写第{clause.number}条的履行情况。", field="performance"
            )
        performance[str(clause.pk)] = value
    if set(given) - set(performance):
        raise MediationError(Code.INVALID, "履行情况中有不属于本协议的条款。")
    return performance


def record_revisit(*, actor, revisit: Revisit, finding: RevisitFinding) -> Revisit:
    """回访: who, when, how, performance per clause, satisfaction, lawsuits, flare-up
    risk and measures. An unperformed clause, or dissatisfaction for a reason within the
    centre's duty, reopens the case — back to its handler, counted on the revisit."""
    case = revisit.case
    if not access.may_revisit(actor, revisit):
        _refuse(actor, case, "revisit", "您无权登记该回访。")
    performance = _check_finding(revisit, finding)
    with transaction.atomic():
        locked = _lock(case)
        current = Revisit.objects.select_for_update().get(pk=revisit.pk)
        if current.status != RevisitStatus.DUE:
            raise MediationError(Code.NOT_NOW, "该回访已完成、已免除或已取消。")
        unperformed = [k for k, v in performance.items() if v == NOT_PERFORMED]
        must_reopen = bool(unperformed) or (
            finding.satisfaction == Satisfaction.DISSATISFIED and finding.within_duty
        )
        current.status, current.done_at, current.done_by = (
            RevisitStatus.DONE,
            timezone.now(),
            actor,
        )
        current.method, current.contacted = finding.method, finding.contacted.strip()[:100]
        current.performance = performance
        current.satisfaction = finding.satisfaction
        current.dissatisfaction_reason = finding.dissatisfaction_reason.strip()[:500]
        current.within_duty, current.has_sued = finding.within_duty, finding.has_sued
        current.flare_up_risk, current.measures = finding.flare_up_risk, finding.measures[:500]
        current.note = finding.note.strip()[:500]
        current.save()
        summary = queries.revisit_summary(current)
        _event(locked, actor, "revisit_done", summary, {"revisit": current.pk})
        if locked.state == State.VERIFIED and may_take(actor, locked, Action.REVISIT):
            locked = case_actions.start_revisit(actor=actor, case=locked, note="开始回访")
        if (
            must_reopen
            and locked.state == State.REVISITING
            and may_take(actor, locked, Action.REOPEN)
        ):
            why = "回访发现未履行条款" if unperformed else "回访不满意（属本中心职责）"
            locked = case_actions.reopen_case(actor=actor, case=locked, note=f"{why}：{summary}")
            current.reopened = True
            current.save(update_fields=["reopened"])
            # A new round of mediation: the one-month term starts again.
            Mediation.objects.filter(case=locked).update(
                status=MediationStatus.OPEN, started_at=timezone.now()
            )
        elif must_reopen:
            notify(
                [*handlers_of(locked), *_centre_of(locked)],
                case=locked,
                kind="revisit_problem",
                text=f"事项 {locked.number} 回访发现问题，须重新办理：{summary}"[:300],
            )
    case.refresh_from_db()
    return current


def waive_revisits(*, actor, case: Case, reason: str) -> int:
    """免予回访: an authorised person (a leader of the handling level) waives every open
    revisit of the case, with the reason, so that it may close."""
    if not access.may_waive(actor, case):
        _refuse(actor, case, "waive", "只有办理层级的领导可以免予回访。")
    reason = _text(reason, "免予回访的理由", 500)
    with transaction.atomic():
        locked = _lock(case)
        count = Revisit.objects.filter(case=locked, status=RevisitStatus.DUE).update(
            status=RevisitStatus.WAIVED, note=reason, done_by=actor, done_at=timezone.now()
        )
        if not count:
            raise MediationError(Code.NOT_NOW, "该事项没有待完成的回访。")
        _event(locked, actor, "revisit_waive", f"免予回访 {count} 次：{reason}", {"count": count})
    return count


def ensure_revisits_done(case: Case) -> None:
    """The close guard: a case closes only when its revisits are done or waived."""
    open_revisits = Revisit.objects.filter(case=case, status=RevisitStatus.DUE)
    first = open_revisits.order_by("due_on").first()
    if first is not None:
        raise MediationError(
            Code.REVISITS_OPEN,
            f"尚有 {open_revisits.count()} 次回访未完成（最早应于 {first.due_on:%Y-%m-%d}），"
            "不能结案；可由领导说明理由免予回访。",
        )


# --- Ratings -------------------------------------------------------------------------------

RATABLE = frozenset({State.COMPLETED, State.VERIFIED, State.REVISITING, State.CLOSED})


def rate_case(*, case: Case, stars: int, text: str = "") -> Rating:
    """A resident rates the handling through the tracking code (no account): the rating
    belongs to the case and to its handler (the mediator when there is no handler)."""
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise MediationError(Code.INVALID, "请选择 1–5 星。", field="stars")
    text = (text or "").strip()
    if len(text) > 500:
        raise MediationError(Code.INVALID, "评价不超过 500 字。", field="text")
    with transaction.atomic():
        locked = _lock(case)
        if locked.state not in RATABLE:
            raise MediationError(Code.NOT_NOW, "事项办结后才能评价。")
        handler = locked.current_handler or queries.mediator_of(locked)
        if Rating.objects.filter(case=locked, handler=handler).exists():
            raise MediationError(Code.ALREADY_RATED, "您已评价过本次办理。")
        rating = Rating.objects.create(
            case=locked, handler=handler, stars=stars, text=text, created_at=timezone.now()
        )
        _event(locked, None, "rating", f"群众评价 {stars} 星", {"rating": rating.pk})
    return rating
