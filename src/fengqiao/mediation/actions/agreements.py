"""Agreements (Art. 28/29): drafts, signatures, taking effect, judicial confirmation."""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from fengqiao.cases.models import Case

from .. import access, queries
from ..errors import MediationCode as Code
from ..errors import MediationError
from ..models import (
    Agreement,
    AgreementParty,
    AgreementStatus,
    Clause,
    ConfirmationResult,
    JudicialConfirmation,
    Mediation,
    MediationSession,
    MediationStatus,
    Revisit,
    RevisitKind,
    RevisitStatus,
    SessionStatus,
    SignMethod,
)
from .base import (
    DEFAULT_PERFORMANCE_DAYS,
    ClauseInput,
    _event,
    _in_handling,
    _lock,
    _mediation,
    _refuse,
    _text,
    _within_month,
)


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


def schedule_revisits(case: Case, actor) -> list[Revisit]:
    """On completion (办结): the day after, by phone (as 12345 practice has it), and at each
    clause's deadline of the effective agreement, all for the mediator who owned the case
    (谁调解、谁负责). A case nobody mediated gets none here. What is left of an earlier
    round (before a reopen) gives way to the new one."""
    mediation = Mediation.objects.filter(case=case).select_related("mediator").first()
    if mediation is None or mediation.mediator_id is None:
        return []
    Revisit.objects.filter(case=case, status=RevisitStatus.DUE).update(
        status=RevisitStatus.CANCELLED
    )
    agreement = mediation.agreements.filter(status=AgreementStatus.EFFECTIVE).first()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    owner = mediation.mediator
    rows = [
        Revisit(
            case=case,
            agreement=agreement,
            kind=RevisitKind.NEXT_DAY,
            due_on=tomorrow,
            owner=owner,
        )
    ]
    for clause in agreement.clauses.all() if agreement else ():
        rows.append(
            Revisit(
                case=case,
                agreement=agreement,
                clause=clause,
                kind=RevisitKind.CLAUSE_DEADLINE,
                due_on=max(clause.deadline, tomorrow),
                owner=owner,
            )
        )
    revisits = Revisit.objects.bulk_create(rows)
    dates = "、".join(sorted({r.due_on.isoformat() for r in revisits}))
    _event(case, actor, "revisits_planned", f"安排回访：{dates}", {"revisits": len(revisits)})
    return revisits


def make_effective(*, actor, agreement: Agreement) -> Agreement:
    """The agreement takes effect — only when every Art. 29 element and every signature
    is there; otherwise the refusal names each missing one. An earlier agreement of the
    case is superseded (and its open revisits cancelled); the revisits of this one are
    scheduled when the case is completed."""
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
        _event(
            locked,
            actor,
            "agr_effective",
            f"第{current.number}份协议生效，办结后安排回访",
            {"agreement": current.pk, "superseded": superseded},
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
