"""Failed mediation (other routes told; refer out or shelve) and risk of escalation."""

from collections.abc import Sequence

from django.db import transaction

from fengqiao.cases import actions as case_actions
from fengqiao.cases.models import Case
from fengqiao.cases.notify import notify

from .. import access
from ..errors import MediationCode as Code
from ..errors import MediationError
from ..models import (
    Mediation,
    MediationStatus,
)
from .base import (
    ROUTES,
    _centre_of,
    _event,
    _in_handling,
    _lock,
    _mediation,
    _refuse,
    _text,
)


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
