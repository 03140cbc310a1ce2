"""Cases (事项): one intake for every channel, and everything that happens to a case.

Sized for a million cases per city: area paths are denormalized onto the case so that
scoping is one index range scan, and the workbench and list filters have their indexes.
Domain state changes only through ``cases.actions``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengqiao.areas import paths

from .states import OPEN_STATES, State


class CaseKind(models.TextChoices):
    DISPUTE = "dispute", _("矛盾纠纷")
    REQUEST = "request", _("民生诉求")
    COMPLAINT = "complaint", _("投诉举报")
    INQUIRY = "inquiry", _("信息咨询")
    LEGAL_AID = "legal_aid", _("法律援助")
    HAZARD = "hazard", _("安全隐患")


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("来访")
    PHONE = "phone", _("来电")
    QR_CODE = "qr_code", _("扫码上报")
    PHOTO_REPORT = "photo_report", _("随手拍")
    GRID_PATROL = "grid_patrol", _("网格巡查")
    INFORMANT = "informant", _("信息员")
    DEVICE_ALARM = "device_alarm", _("设备告警")
    PETITION = "petition", _("信访")
    HOTLINE_12345 = "hotline_12345", _("12345热线")
    COURT = "court", _("法院委派")
    POLICE = "police", _("公安移交")
    ONLINE = "online", _("网上受理")


class Grade(models.TextChoices):
    MICRO = "micro", _("微事")
    MINOR = "minor", _("小事")
    MAJOR = "major", _("大事")
    HARD = "hard", _("难事")


class Risk(models.TextChoices):
    RED = "red", _("红")
    ORANGE = "orange", _("橙")
    YELLOW = "yellow", _("黄")
    BLUE = "blue", _("蓝")


class Urgency(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


class SupervisionLevel(models.TextChoices):
    NORMAL = "normal", _("普通督办")
    YELLOW = "yellow", _("黄牌督办")
    RED = "red", _("红牌督办")


class CategoryGroup(models.TextChoices):
    DISPUTE = "dispute", _("矛盾纠纷")
    GRID_EVENT = "grid_event", _("网格事件")


class Category(models.Model):
    """A two-level code list: top-level classes and their subtypes; editable by admins."""

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    group = models.CharField(_("分组"), max_length=12, choices=CategoryGroup.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    sort = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("类别")
        verbose_name_plural = _("类别")
        ordering = ["group", "sort", "code"]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class CaseCounter(models.Model):
    """The last number handed out per district and year; locked while allocating."""

    prefix = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="case_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class CaseQuerySet(models.QuerySet):
    def open(self) -> "CaseQuerySet":
        return self.filter(state__in=OPEN_STATES)

    def within(self, area) -> "CaseQuerySet":
        return self.filter(paths.subtree_q("area_path", area.path))

    def handled_within(self, area) -> "CaseQuerySet":
        return self.filter(paths.subtree_q("handling_area_path", area.path))

    def overdue(self, now) -> "CaseQuerySet":
        """Cases past their handling deadline at ``now`` (an indexed comparison)."""
        from .states import CLOCK_STATES

        return self.filter(state__in=CLOCK_STATES, due_at__lt=now)

    def verify_overdue(self, now) -> "CaseQuerySet":
        """Completed cases past their verification deadline at ``now``."""
        return self.filter(state=State.COMPLETED, verify_due_at__lt=now)

    def visible_to(self, user) -> "CaseQuerySet":
        """The one row scope for cases: see ``cases.access.visible_q``."""
        from .access import visible_q

        return self.filter(visible_q(user))


def _is_set(name: str) -> Q:
    """The condition of a partial index: the rows where ``name`` is set."""
    return Q(**{f"{name}__isnull": False})


class Case(models.Model):
    # Unique by constraints (Meta.constraints), not unique=True, which on PostgreSQL also
    # builds a second, LIKE-pattern index that nothing here uses: for the random
    # tracking code, one more random page written by every registration (session 6).
    number = models.CharField(_("案件编号"), max_length=24)
    tracking_code = models.CharField(_("查询码"), max_length=16)
    kind = models.CharField(_("事项类型"), max_length=12, choices=CaseKind.choices)
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices)
    # db_index=False on category, current_unit and current_handler: each leads a composite
    # index in Meta (case_category_area, case_unit_state, case_handler_state), which serves
    # its lookups; a separate index was one more to write on every insert and move.
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    title = models.CharField(_("标题"), max_length=200)
    narrative = models.TextField(_("事项描述"))

    # Where it happened, down to the grid (and optionally building or household).
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="cases")
    area_path = models.CharField(max_length=paths.MAX_LENGTH, editable=False)
    # db_index=False on the keys that most cases leave empty (building, household, lead
    # leader, owner, dispatcher): each has a partial index of the cases that name one
    # (Meta.indexes), which a new case, naming none, does not touch.
    building = models.ForeignKey(
        "areas.Building",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    household = models.ForeignKey(
        "areas.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    people_count = models.PositiveIntegerField(_("涉及人数"), default=1)
    amount = models.DecimalField(
        _("涉及金额"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.REGISTERED
    )
    grade = models.CharField(_("等级"), max_length=8, choices=Grade.choices, blank=True)
    risk = models.CharField(_("风险等级"), max_length=8, choices=Risk.choices, blank=True)
    urgency = models.CharField(
        _("紧急程度"), max_length=8, choices=Urgency.choices, default=Urgency.LOW
    )

    # The level handling it now, and the level that first registered it: a case
    # handled above where it was registered does not count as resolved locally.
    handling_area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="handled_cases"
    )
    handling_area_path = models.CharField(max_length=paths.MAX_LENGTH, editable=False)
    registered_area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="registered_cases"
    )
    was_escalated = models.BooleanField(_("曾上报"), default=False)

    current_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    current_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_cases",
        db_index=False,
    )
    lead_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_cases",
        db_index=False,
    )
    # 三定 for hard cases: fixed person, fixed responsibility, fixed deadline.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_cases",
        db_index=False,
    )
    responsibility = models.CharField(_("责任"), max_length=500, blank=True)
    deadline = models.DateField(_("时限"), null=True, blank=True)

    supervision_level = models.CharField(
        _("督办级别"), max_length=8, choices=SupervisionLevel.choices, blank=True
    )
    is_urgent = models.BooleanField(_("加急"), default=False)
    feedback = models.TextField(_("办结反馈"), blank=True)
    return_count = models.PositiveIntegerField(_("退单次数"), default=0)
    rework_count = models.PositiveIntegerField(_("返工次数"), default=0)

    # The clock: started at dispatch; the due instants are computed by
    # ``deadlines`` and stored so that lists can filter with an indexed comparison.
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatched_cases",
        db_index=False,
    )
    sign_due_at = models.DateTimeField(_("签收期限"), null=True, blank=True)
    warning_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    red_at = models.DateTimeField(_("红牌时间"), null=True, blank=True)
    extension_days = models.PositiveIntegerField(_("已批准延期（工作日）"), default=0)
    # The handling clock restarts when a case goes back to its handler (核查退回,
    # 重新办理); empty means it runs from dispatch.
    clock_started_at = models.DateTimeField(_("办理计时起点"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The verification clock runs from completion (办结) to verification (核查).
    verify_warning_at = models.DateTimeField(_("核查预警时间"), null=True, blank=True)
    verify_due_at = models.DateTimeField(_("核查期限"), null=True, blank=True)
    verify_red_at = models.DateTimeField(_("核查红牌时间"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_cases",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["area_path", "created_at"], name="case_area_created"),
            # A town's list picks its page's ids from the index alone (an index-only scan
            # on PostgreSQL, whose indexes do not carry the row id as SQLite's do).
            models.Index(fields=["area_path", "id"], name="case_area_id"),
            models.Index(fields=["handling_area_path", "state"], name="case_handling_state"),
            # The to-do lists and their badges ask "state = s AND handling path within
            # the user's grant" once per step: state first keeps a city-wide grant an
            # index range, not a scan (bench/README.md: 90 → 10 ms at 100,000 cases).
            models.Index(fields=["state", "handling_area_path"], name="case_state_handling"),
            # Partial: only the rows that have the value. A new case has none of them, so
            # its insert skips these indexes (PostgreSQL indexes NULLs too); every query
            # they serve compares the value, which excludes NULL (session 6).
            models.Index(
                fields=["state", "due_at"], name="case_state_due", condition=_is_set("due_at")
            ),
            models.Index(
                fields=["state", "verify_due_at"],
                name="case_state_verify_due",
                condition=_is_set("verify_due_at"),
            ),
            models.Index(
                fields=["current_unit", "state"],
                name="case_unit_state",
                condition=_is_set("current_unit"),
            ),
            models.Index(
                fields=["current_handler", "state"],
                name="case_handler_state",
                condition=_is_set("current_handler"),
            ),
            *(
                models.Index(fields=[name], name=f"case_{name}", condition=_is_set(name))
                for name in ("building", "household", "lead_leader", "owner", "dispatched_by")
            ),
            models.Index(fields=["category", "area_path"], name="case_category_area"),
            # The list filtered by state and category pages newest first by id: one
            # index walk from the page's key, for the whole city (bench finding 3).
            models.Index(fields=["state", "category", "id"], name="case_state_category"),
            models.Index(fields=["created_at"], name="case_created"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="case_number_unique"),
            models.UniqueConstraint(fields=["tracking_code"], name="case_tracking_code_unique"),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in State]), name="case_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(grade__in=["", *[g.value for g in Grade]]), name="case_grade_valid"
            ),
            models.CheckConstraint(
                condition=Q(risk__in=["", *[r.value for r in Risk]]), name="case_risk_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    THIRD_PARTY = "third_party", _("第三人")


class Party(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(_("当事人类型"), max_length=12, choices=PartyRole.choices)
    representative_name = models.CharField(_("代理人"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="party_unique_person"),
        ]
        # A person's cases newest first: the duplicate check reads a busy party's newest
        # rows along it and stops (queries._newest_parties).
        indexes = [models.Index(fields=["person", "case"], name="party_person_case")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.person}"


class Attachment(models.Model):
    """A photo or document; stored under MEDIA_ROOT (private), served only through an
    access-checked view."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="cases/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name


class LinkKind(models.TextChoices):
    DUPLICATE = "duplicate", _("重复")
    RELATED = "related", _("关联")


class CaseLink(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    other = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="linked_from")
    kind = models.CharField(max_length=10, choices=LinkKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "other"], name="case_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.other_id}"


class CoHandler(models.Model):
    """A co-handling unit or person (联办/协办)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="co_handlers")
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="co_cases"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="co_cases",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(user__isnull=False),
                name="co_handler_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} + {self.unit or self.user}"


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("已驳回")


class Extension(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延期工作日"))
    reason = models.CharField(_("理由"), max_length=500)
    status = models.CharField(max_length=10, choices=ExtensionStatus.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        constraints = [
            # At most one request waits for a decision at a time.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="requested"),
                name="extension_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days} {self.status}"


class Supervision(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    level = models.CharField(max_length=8, choices=SupervisionLevel.choices)
    note = models.CharField(_("督办意见"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.case_id} {self.level}"


class TimelineEvent(models.Model):
    """One row per thing that happened to a case: the case's own history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=24)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="timeline_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class Notification(models.Model):
    """An in-app inbox item; the outbound channel (SMS, WeCom) is sent after commit."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=24)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.text


class TimeStage(models.TextChoices):
    ACCEPT = "accept", _("签收")
    HANDLE = "handle", _("办理")
    VERIFY = "verify", _("核查")


class TimeUnit(models.TextChoices):
    DAYS = "days", _("工作日")
    HOURS = "hours", _("工作小时")


class TimeLimit(models.Model):
    """A time-limit rule; blank fields match anything and the most specific row wins."""

    stage = models.CharField(_("环节"), max_length=8, choices=TimeStage.choices)
    case_kind = models.CharField(_("事项类型"), max_length=12, choices=CaseKind.choices, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="time_limits"
    )
    handling_level = models.CharField(_("办理层级"), max_length=12, blank=True)
    unit_scope = models.CharField(_("属地/职能"), max_length=12, blank=True)
    yellow_limit = models.PositiveIntegerField(_("黄牌时限"))
    red_limit = models.PositiveIntegerField(_("红牌时限"))
    time_unit = models.CharField(
        _("单位"), max_length=6, choices=TimeUnit.choices, default=TimeUnit.DAYS
    )
    warning_percent = models.PositiveSmallIntegerField(_("预警比例（%）"), default=70)

    class Meta:
        verbose_name = _("时限标准")
        verbose_name_plural = _("时限标准")
        constraints = [
            models.CheckConstraint(
                condition=Q(red_limit__gte=models.F("yellow_limit")), name="time_limit_red_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage} {self.yellow_limit}/{self.red_limit} {self.time_unit}"


class WorkCalendarOverride(models.Model):
    """A day an administrator declares working or not, over the official calendar."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'}"
