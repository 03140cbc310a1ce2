"""Choosing the mediator (with recusal), changing them, and consent to a longer mediation."""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from fengqiao.audit.log import record_refusal
from fengqiao.cases.models import Case
from fengqiao.cases.notify import notify

from .. import access
from ..errors import MediationCode as Code
from ..errors import MediationError
from ..models import (
    Mediation,
    MediatorRelation,
    PanelMember,
    Revisit,
    RevisitStatus,
)
from .base import (
    _check_mediator,
    _event,
    _in_handling,
    _lock,
    _mediation,
    _refuse,
    _text,
)


def declare_relation(*, actor, mediator, person, relation: str) -> MediatorRelation:
    """Record a mediator's tie to a resident, so that they are never assigned to a case
    where that resident is a party. The mediator declares it, or whoever may edit the
    resident's record (system callers pass ``actor=None``)."""
    if actor is not None and not access.may_declare_relation(actor, mediator, person):
        record_refusal(actor=actor, perm="mediation.declare_relation", obj=person)
        raise MediationError(Code.FORBIDDEN, "您无权为该调解员登记回避关系。")
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
