"""What the mediation app adds to others at start-up, through the registries they
offer: the close guard and the completion hook (cases), the revisits panel (workbench),
a navigation entry and the Chinese names of its timeline events."""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "med_assign": _("指派调解员"),
    "med_change": _("更换调解员"),
    "med_consent": _("当事人同意延长调解"),
    "med_session": _("安排调解"),
    "med_postpone": _("调解延期"),
    "med_no_show": _("当事人未到场"),
    "med_record": _("调解笔录"),
    "med_failed": _("调解不成"),
    "risk_notice": _("风险通报"),
    "agr_draft": _("起草调解协议"),
    "agr_revise": _("修改调解协议"),
    "agr_sign": _("协议签署"),
    "agr_effective": _("调解协议生效"),
    "revisits_planned": _("安排回访"),
    "judicial_apply": _("申请司法确认"),
    "judicial_result": _("司法确认结果"),
    "revisit_done": _("回访"),
    "revisit_waive": _("免予回访"),
    "rating": _("群众评价"),
}


def _revisits_panel(request):
    from . import queries

    revisits = queries.revisits_for(request.user)
    if not revisits.total:
        return None
    return {"revisits": revisits}


def install() -> None:
    from fengqiao.areas.access import Perm
    from fengqiao.cases.actions import closing, flow
    from fengqiao.cases.templatetags import case_ui
    from fengqiao.core import nav, workbench

    from .actions import ensure_revisits_done
    from .actions.agreements import schedule_revisits

    if ensure_revisits_done not in closing.CLOSE_GUARDS:
        closing.CLOSE_GUARDS.append(ensure_revisits_done)
    # 谁调解、谁负责: completing a mediated case books its revisits for the mediator.
    if schedule_revisits not in flow.COMPLETION_HOOKS:
        flow.COMPLETION_HOOKS.append(schedule_revisits)
    case_ui.OTHER_EVENTS.update(EVENT_LABELS)
    if not any(p.template == "mediation/_revisits_panel.html" for p in workbench.PANELS):
        workbench.PANELS.append(workbench.Panel("mediation/_revisits_panel.html", _revisits_panel))
    if not any(e.url_name == "mediation:revisits" for e in nav.NAV):
        nav.NAV.insert(
            2,
            nav.NavEntry(
                "mediation:revisits",
                _("回访"),
                "phone-call",
                Perm.CASE_HANDLE,
                _("我负责的调解回访"),
                badge="fengqiao.mediation.queries.due_badge",
            ),
        )
