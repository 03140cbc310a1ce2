"""Reads: what an agreement still lacks, the judicial-confirmation window, each
mediator's revisits, the case file (卷宗) and what the public tracking page shows."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fengqiao.cases.models import Case, PartyRole
from fengqiao.cases.states import State

from .models import (
    Agreement,
    AgreementStatus,
    Mediation,
    MediationSession,
    Revisit,
    RevisitStatus,
    SessionStatus,
)

CONFIRMATION_DAYS = 30
CONFIRMATION_WARN_DAYS = 7
PERFORMANCE_LABELS = {"performed": "已履行", "not_performed": "未履行", "not_due": "未到期"}


def mediation_of(case: Case) -> Mediation | None:
    return Mediation.objects.filter(case=case).select_related("mediator", "committee").first()


def mediator_of(case: Case):
    mediation = mediation_of(case)
    return mediation.mediator if mediation else None


def missing_elements(agreement: Agreement) -> list[str]:
    """What stops the agreement from taking effect, in Chinese, one item each: the
    elements of Art. 29 (or Art. 28's recorded content for an oral agreement), then the
    signatures of every party, the mediator's signature and the committee's seal."""
    missing: list[str] = []
    parties = list(agreement.parties.all())
    if not parties:
        missing.append("当事人")
    if not any(p.role == PartyRole.APPLICANT for p in parties):
        missing.append("申请人")
    if not any(p.role == PartyRole.RESPONDENT for p in parties):
        missing.append("被申请人")
    if agreement.is_oral:
        if not agreement.oral_content.strip():
            missing.append("口头协议内容")
        if agreement.mediator_signed_at is None:
            missing.append("调解员签名")
        return missing
    for p in parties:
        if not p.address.strip():
            missing.append(f"当事人{p.name}的住址")
    for label, value in (
        ("主要事实", agreement.facts),
        ("争议事项", agreement.disputed_matters),
        ("各方责任", agreement.responsibilities),
    ):
        if not value.strip():
            missing.append(label)
    clauses = list(agreement.clauses.all())
    if not clauses:
        missing.append("协议内容（至少一条）")
    for c in clauses:
        if not c.content.strip():
            missing.append(f"第{c.number}条的内容")
        if not c.performance_way.strip():
            missing.append(f"第{c.number}条的履行方式")
        if c.deadline is None:
            missing.append(f"第{c.number}条的履行期限")
    for p in parties:
        if p.signed_at is None:
            missing.append(f"当事人{p.name}签名（盖章或按指印）")
    if agreement.mediator_signed_at is None:
        missing.append("调解员签名")
    if agreement.mediation.committee_id is None:
        missing.append("调解委员会（未指定，无法盖章）")
    elif agreement.sealed_at is None:
        missing.append("调解委员会印章")
    return missing


def confirmation_deadline(agreement: Agreement) -> dt.date:
    """The last day to apply for judicial confirmation (Art. 33: within 30 days)."""
    return timezone.localdate(agreement.effective_at) + dt.timedelta(days=CONFIRMATION_DAYS)


def confirmation_warning(agreement: Agreement, today: dt.date | None = None) -> str:
    """A warning while the 30-day window is closing (or closed) and nothing applied."""
    if agreement.status != AgreementStatus.EFFECTIVE or agreement.is_oral:
        return ""
    if _has_confirmation(agreement):
        return ""
    today = today or timezone.localdate()
    left = (confirmation_deadline(agreement) - today).days
    if left < 0:
        return gettext("司法确认申请期限（30 日）已过。")
    if left <= CONFIRMATION_WARN_DAYS:
        return gettext("司法确认申请期限将于 %(days)s 天后届满（%(date)s）。") % {
            "days": left,
            "date": f"{confirmation_deadline(agreement):%Y-%m-%d}",
        }
    return ""


def revisit_summary(revisit: Revisit) -> str:
    """One line for the timeline: how, satisfaction, performance per clause."""
    parts = [revisit.get_method_display(), revisit.get_satisfaction_display()]
    if revisit.agreement_id:
        numbers = {str(c.pk): c.number for c in revisit.agreement.clauses.all()}
        for pk, value in sorted(revisit.performance.items(), key=lambda kv: numbers.get(kv[0], 0)):
            parts.append(f"第{numbers.get(pk, '?')}条{PERFORMANCE_LABELS.get(value, value)}")
    if revisit.dissatisfaction_reason:
        parts.append(f"不满意原因：{revisit.dissatisfaction_reason}")
    if revisit.has_sued:
        parts.append("已起诉")
    if revisit.flare_up_risk == "high":
        parts.append(f"反弹风险较高，措施：{revisit.measures}")
    return "；".join(p for p in parts if p)


@dataclass
class RevisitList:
    overdue: list = field(default_factory=list)
    due_today: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.due_today)


def revisits_for(user, today: dt.date | None = None, limit: int = 200) -> RevisitList:
    """The user's revisits due today and overdue (the workbench panel)."""
    today = today or timezone.localdate()
    rows = (
        Revisit.objects.due_by(today)
        .filter(owner=user)
        .select_related("case", "clause")
        .order_by("due_on", "pk")[:limit]
    )
    result = RevisitList()
    for r in rows:
        (result.overdue if r.due_on < today else result.due_today).append(r)
    return result


def _due_rows(user, today: dt.date):
    """The user's revisits due ``today`` or earlier (the navigation badge), capped at 100."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Revisit.objects.due_by(today).filter(owner=user).order_by()[:100]


def due_badge(user):
    """The revisits badge as a column of the layout's one statement (``core.shell``),
    compiled once per user and day (its statement depends on nothing else)."""
    from fengqiao.core import shell

    today = timezone.localdate()
    return shell.count_once(("revisits", user.pk, today), lambda: _due_rows(user, today))


# --- The case file ---------------------------------------------------------------------


@dataclass
class FileEntry:
    key: str
    title: str
    required: bool
    count: int
    note: str = ""

    @property
    def present(self) -> bool:
        return self.count > 0


def case_file(case: Case) -> list[FileEntry]:
    """The documents REFERENCE §1 asks of a case file, and how many of each exist.
    Required: intake form, notice of rights and duties, identity proof, mediation record,
    agreement, back cover; the rest as needed."""
    mediation = mediation_of(case)
    sessions = (
        MediationSession.objects.filter(mediation=mediation, status=SessionStatus.HELD)
        if mediation
        else MediationSession.objects.none()
    )
    records = sessions.filter(record__isnull=False)
    agreements = (
        mediation.agreements.exclude(status=AgreementStatus.DRAFT)
        if mediation
        else Agreement.objects.none()
    )
    parties = list(case.parties.select_related("person"))
    with_id = sum(1 for p in parties if p.person.id_number)
    attachments = case.attachments.count()
    revisits = case.revisits.filter(status=RevisitStatus.DONE).count()
    confirmations = sum(1 for a in agreements if _has_confirmation(a))
    closed = case.state == State.CLOSED
    return [
        FileEntry("intake", gettext_noop("受理登记表"), True, 1),
        FileEntry(
            "rights",
            gettext_noop("权利义务告知书"),
            True,
            records.filter(record__rights_notice_given=True).count(),
        ),
        FileEntry(
            "identity",
            gettext_noop("当事人身份证明"),
            True,
            with_id if parties and with_id == len(parties) else 0,
            gettext("%(registered)s/%(total)s 名当事人已登记身份证号")
            % {"registered": with_id, "total": len(parties)},
        ),
        FileEntry("records", gettext_noop("调解笔录"), True, records.count()),
        FileEntry("agreements", gettext_noop("调解协议书"), True, agreements.count()),
        FileEntry(
            "proxy",
            gettext_noop("授权委托书"),
            False,
            sum(1 for p in parties if p.representative_name),
        ),
        FileEntry("evidence", gettext_noop("证据及调查材料（附件）"), False, attachments),
        FileEntry("revisits", gettext_noop("回访记录（含履行情况）"), False, revisits),
        FileEntry("confirmation", gettext_noop("司法确认材料"), False, confirmations),
        FileEntry(
            "cover",
            gettext_noop("卷宗封底"),
            True,
            1 if closed else 0,
            "" if closed else gettext_noop("结案后生成"),
        ),
    ]


def _has_confirmation(agreement: Agreement) -> bool:
    from .models import JudicialConfirmation

    return JudicialConfirmation.objects.filter(agreement=agreement).exists()


# --- The public tracking page ----------------------------------------------------------

PUBLIC_EVENTS = {
    "register": "已登记",
    "accept": "已受理",
    "decline": "不予受理",
    "dispatch": "已派单办理",
    "sign_for": "承办人已签收",
    "start_handling": "办理中",
    "med_assign": "已安排调解员",
    "med_session": "已安排调解",
    "med_record": "已调解",
    "agr_effective": "调解协议生效",
    "complete": "已办结",
    "verify": "已核查",
    "revisit": "回访中",
    "revisit_done": "已回访",
    "reopen": "重新办理",
    "close": "已结案",
    "shelve": "挂账",
    "refer_out": "转法定途径",
    "rating": "已评价",
}


def public_timeline(case: Case) -> list[tuple[dt.datetime, str]]:
    """The headline of each step, without names, notes or any personal data."""
    rows = case.timeline.filter(action__in=PUBLIC_EVENTS).order_by("at", "pk")
    return [(e.at, PUBLIC_EVENTS[e.action]) for e in rows.only("at", "action")]


def find_by_tracking_code(code: str) -> Case | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 16 or not code.isalnum():
        return None
    return Case.objects.filter(tracking_code=code).first()
