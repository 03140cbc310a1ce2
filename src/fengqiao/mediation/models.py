"""Mediation (调解) of a case: who mediates, the sessions and their records (笔录), the
agreements (调解协议书 / 口头协议) with their clauses and signatures, judicial
confirmation, the revisits owned by the mediator (回访) and the residents' ratings.

The case itself and its states belong to ``cases``; every write here goes through
``mediation.actions``, which moves or annotates the case through the cases machinery.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MediationStatus(models.TextChoices):
    OPEN = "open", _("调解中")
    SUCCEEDED = "succeeded", _("调解成功")
    FAILED = "failed", _("调解不成")


class Mediation(models.Model):
    """The mediation of one case; a reopened case keeps its mediation and adds to it."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="mediation")
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mediations"
    )
    committee = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="mediations"
    )
    status = models.CharField(
        _("调解状态"), max_length=10, choices=MediationStatus.choices, default=MediationStatus.OPEN
    )
    started_at = models.DateTimeField(_("开始调解"))
    # 《人民调解工作若干规定》: beyond one month only with both parties' consent.
    extended_until = models.DateField(_("经同意延长至"), null=True, blank=True)
    consent_note = models.CharField(_("当事人同意延长的记录"), max_length=500, blank=True)
    failure_reason = models.TextField(_("调解不成的原因"), blank=True)
    routes_told = models.JSONField(_("已告知的其他途径"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("调解")
        verbose_name_plural = _("调解")
        indexes = [models.Index(fields=["mediator", "status"], name="mediation_mediator")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in MediationStatus]),
                name="mediation_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.mediator}"


class PanelMember(models.Model):
    """A further mediator on a panel (合议调解), besides the lead ``Mediation.mediator``."""

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="panel")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mediation", "user"], name="panel_member_unique")
        ]

    def __str__(self) -> str:
        return str(self.user)


class MediatorRelation(models.Model):
    """A mediator's declared tie to a resident (kin, employer, neighbour feud …): the
    mediator must recuse from any case where that person is a party (回避)."""

    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declared_relations"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="mediator_relations"
    )
    relation = models.CharField(_("关系"), max_length=50)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("调解员回避关系")
        verbose_name_plural = _("调解员回避关系")
        constraints = [
            models.UniqueConstraint(fields=["mediator", "person"], name="mediator_relation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.mediator} — {self.person} ({self.relation})"


class PlaceKind(models.TextChoices):
    ROOM = "room", _("调解室")
    FIELD = "field", _("田间调解")
    VAN = "van", _("流动调解车")
    HOME = "home", _("上门调解")
    OTHER = "other", _("其他地点")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    HELD = "held", _("已举行")
    POSTPONED = "postponed", _("已延期")
    NO_SHOW = "no_show", _("当事人未到")


class MediationSession(models.Model):
    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("次序"))
    scheduled_at = models.DateTimeField(_("时间"))
    place_kind = models.CharField(_("地点类型"), max_length=8, choices=PlaceKind.choices)
    place = models.CharField(_("地点"), max_length=200)
    participants = models.TextField(_("参加人员"), blank=True)
    # {party id (str): true/false} — who of the parties came.
    attendance = models.JSONField(_("到场情况"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    status_note = models.CharField(_("延期或未到说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("调解会")
        verbose_name_plural = _("调解会")
        ordering = ["mediation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["mediation", "number"], name="session_number_unique")
        ]

    def __str__(self) -> str:
        return f"第{self.number}次调解 {self.scheduled_at:%Y-%m-%d %H:%M}"


class SessionRecord(models.Model):
    """The record (调解笔录) of a held session. A full record holds every element of
    REFERENCE §1; a simple-procedure record (简易程序) only the matter and the result."""

    session = models.OneToOneField(
        MediationSession, on_delete=models.CASCADE, related_name="record"
    )
    is_simple = models.BooleanField(_("简易程序"), default=False)
    matter = models.TextField(_("调解事项"))
    rights_notice_given = models.BooleanField(_("已告知权利义务"), default=False)
    applicant_statement = models.TextField(_("申请人陈述"), blank=True)
    respondent_statement = models.TextField(_("被申请人陈述"), blank=True)
    verification = models.TextField(_("调查核实情况"), blank=True)
    risk_notice = models.TextField(_("风险告知"), blank=True)
    outcome = models.TextField(_("调解结果"))
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("调解笔录")
        verbose_name_plural = _("调解笔录")

    def __str__(self) -> str:
        return f"{self.session} 笔录"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("待签署")
    EFFECTIVE = "effective", _("已生效")
    SUPERSEDED = "superseded", _("已被变更")


class Agreement(models.Model):
    """调解协议书 (Art. 29) or, with ``is_oral``, an oral agreement recorded (Art. 28)."""

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="agreements")
    number = models.PositiveSmallIntegerField(_("次序"))
    is_oral = models.BooleanField(_("口头协议"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    facts = models.TextField(_("主要事实"), blank=True)
    disputed_matters = models.TextField(_("争议事项"), blank=True)
    responsibilities = models.TextField(_("各方责任"), blank=True)
    oral_content = models.TextField(_("口头协议内容"), blank=True)
    mediator_signed_at = models.DateTimeField(_("调解员签名"), null=True, blank=True)
    sealed_at = models.DateTimeField(_("调委会盖章"), null=True, blank=True)
    effective_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("调解协议")
        verbose_name_plural = _("调解协议")
        ordering = ["mediation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["mediation", "number"], name="agreement_number_unique"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in AgreementStatus]),
                name="agreement_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{'口头协议' if self.is_oral else '调解协议书'} #{self.number}"


class SignMethod(models.TextChoices):
    SIGNATURE = "signature", _("签名")
    SEAL = "seal", _("盖章")
    FINGERPRINT = "fingerprint", _("按指印")


class AgreementParty(models.Model):
    """A party to the agreement, its details as written into it, and its signature."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("当事人类型"), max_length=12)
    sex = models.CharField(_("性别"), max_length=8, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    sign_method = models.CharField(
        _("签署方式"), max_length=12, choices=SignMethod.choices, blank=True
    )

    class Meta:
        ordering = ["agreement", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "party"], name="agreement_party_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Clause(models.Model):
    """One agreed obligation, with the way and the time limit of performance."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="clauses")
    number = models.PositiveSmallIntegerField(_("条款序号"))
    content = models.TextField(_("协议内容"))
    performance_way = models.CharField(_("履行方式"), max_length=300)
    deadline = models.DateField(_("履行期限"))

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="clause_number_unique")
        ]

    def __str__(self) -> str:
        return f"第{self.number}条"


class ConfirmationResult(models.TextChoices):
    PENDING = "pending", _("审查中")
    CONFIRMED = "confirmed", _("确认有效")
    REJECTED = "rejected", _("驳回申请")


class JudicialConfirmation(models.Model):
    """司法确认 (Art. 33): applied for within 30 days of the agreement taking effect."""

    agreement = models.OneToOneField(
        Agreement, on_delete=models.CASCADE, related_name="confirmation"
    )
    applied_on = models.DateField(_("申请日期"))
    court = models.CharField(_("受理法院"), max_length=100)
    result = models.CharField(
        _("结果"),
        max_length=10,
        choices=ConfirmationResult.choices,
        default=ConfirmationResult.PENDING,
    )
    decided_on = models.DateField(_("裁定日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.court} {self.get_result_display()}"


class RevisitKind(models.TextChoices):
    NEXT_DAY = "next_day", _("次日回访")
    CLAUSE_DEADLINE = "clause", _("履行期限回访")


class RevisitStatus(models.TextChoices):
    DUE = "due", _("待回访")
    DONE = "done", _("已回访")
    WAIVED = "waived", _("已免予回访")
    CANCELLED = "cancelled", _("已取消")


class RevisitMethod(models.TextChoices):
    PHONE = "phone", _("电话回访")
    VISIT = "visit", _("上门回访")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class FlareUpRisk(models.TextChoices):
    NONE = "none", _("无")
    LOW = "low", _("较低")
    HIGH = "high", _("较高")


class RevisitQuerySet(models.QuerySet):
    def open(self) -> "RevisitQuerySet":
        return self.filter(status=RevisitStatus.DUE)

    def due_by(self, day) -> "RevisitQuerySet":
        return self.open().filter(due_on__lte=day)


class Revisit(models.Model):
    """A revisit (回访) owned by the case's mediator: "谁调解、谁负责"."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="revisits")
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="revisits"
    )
    clause = models.ForeignKey(
        Clause, on_delete=models.CASCADE, null=True, blank=True, related_name="revisits"
    )
    kind = models.CharField(_("回访类型"), max_length=10, choices=RevisitKind.choices)
    due_on = models.DateField(_("应回访日期"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="revisits"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=RevisitStatus.choices, default=RevisitStatus.DUE
    )
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(
        _("回访方式"), max_length=8, choices=RevisitMethod.choices, blank=True
    )
    contacted = models.CharField(_("回访对象"), max_length=100, blank=True)
    # {clause id (str): true/false} — performed or not, per clause.
    performance = models.JSONField(_("履行情况"), default=dict, blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=14, choices=Satisfaction.choices, blank=True
    )
    dissatisfaction_reason = models.CharField(_("不满意原因"), max_length=500, blank=True)
    within_duty = models.BooleanField(_("原因属本中心职责"), default=False)
    has_sued = models.BooleanField(_("已起诉"), default=False)
    flare_up_risk = models.CharField(
        _("反弹风险"), max_length=6, choices=FlareUpRisk.choices, blank=True
    )
    measures = models.CharField(_("采取的措施"), max_length=500, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    reopened = models.BooleanField(_("因此重新办理"), default=False)

    objects = RevisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"], name="revisit_owner_due"),
            models.Index(fields=["case", "status"], name="revisit_case_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in RevisitStatus]),
                name="revisit_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class Rating(models.Model):
    """A resident's rating of the handling, given through the tracking code."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="ratings")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="ratings"
    )
    stars = models.PositiveSmallIntegerField(_("星级"))
    text = models.CharField(_("评价"), max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        constraints = [
            models.CheckConstraint(
                condition=Q(stars__gte=1) & Q(stars__lte=5), name="rating_stars_range"
            ),
            models.UniqueConstraint(fields=["case", "handler"], name="rating_once_per_handler"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.stars}★"
