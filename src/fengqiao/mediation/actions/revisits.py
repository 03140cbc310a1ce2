"""Revisits owned by the mediator, their waiver, and the close guard."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from fengqiao.cases import actions as case_actions
from fengqiao.cases.access import may_take
from fengqiao.cases.actions.base import handlers_of
from fengqiao.cases.models import Case
from fengqiao.cases.notify import notify
from fengqiao.cases.states import Action, State

from .. import access, queries
from ..errors import MediationCode as Code
from ..errors import MediationError
from ..models import (
    FlareUpRisk,
    Mediation,
    MediationStatus,
    Revisit,
    RevisitMethod,
    RevisitStatus,
    Satisfaction,
)
from .base import (
    NOT_PERFORMED,
    PERFORMANCE,
    _centre_of,
    _event,
    _lock,
    _refuse,
    _text,
)


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
