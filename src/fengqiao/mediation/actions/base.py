"""Shared pieces of the mediation actions: constants, inputs and small checks."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from fengqiao.audit.log import record_refusal
from fengqiao.cases.actions.base import deciders_at, write_event
from fengqiao.cases.models import Case
from fengqiao.cases.states import State

from .. import access
from ..errors import MediationCode as Code
from ..errors import MediationError
from ..models import (
    Mediation,
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
