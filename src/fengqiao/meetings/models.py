"""Assessment meetings (研判会): held per area and period, with an agenda generated from
the figures, minutes, and decisions that become action items (三定: owner,
responsibility, deadline) supervised until their owner closes them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengqiao.areas import paths
from fengqiao.areas.models import LEVEL_ORDER


class Cadence(models.Model):
    """How often areas of a level must hold an assessment meeting (村周研判、镇月研判)."""

    level = models.CharField(_("层级"), max_length=12, unique=True)
    every_days = models.PositiveSmallIntegerField(_("间隔天数"))

    class Meta:
        verbose_name = _("研判频次")
        verbose_name_plural = _("研判频次")
        constraints = [
            models.CheckConstraint(condition=Q(level__in=LEVEL_ORDER), name="cadence_level_valid"),
            models.CheckConstraint(condition=Q(every_days__gte=1), name="cadence_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.every_days}"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("待召开")
    HELD = "held", _("已召开")


class AssessmentMeeting(models.Model):
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="meetings")
    area_path = models.CharField(max_length=paths.MAX_LENGTH, editable=False)
    period_start = models.DateField(_("研判期间自"))
    period_end = models.DateField(_("研判期间至"))
    title = models.CharField(_("会议名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=8, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    # The agenda as generated when the meeting was planned, kept as the meeting saw it.
    agenda = models.JSONField(_("议程"), default=dict)
    held_at = models.DateTimeField(_("召开时间"), null=True, blank=True)
    attendees = models.TextField(_("参会人员"), blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("研判会")
        verbose_name_plural = _("研判会")
        ordering = ["-period_end", "-pk"]
        indexes = [models.Index(fields=["area_path", "period_end"], name="meeting_area_period")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in MeetingStatus]),
                name="meeting_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="meeting_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ActionItemStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已完成")


class ActionItem(models.Model):
    """A decision of a meeting (决定事项) under 三定; carried into every later meeting
    of its area until its owner closes it."""

    meeting = models.ForeignKey(
        AssessmentMeeting, on_delete=models.PROTECT, related_name="action_items"
    )
    area_path = models.CharField(max_length=paths.MAX_LENGTH, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("任务"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_items"
    )
    responsibility = models.CharField(_("责任"), max_length=500)
    deadline = models.DateField(_("时限"))
    status = models.CharField(
        _("状态"), max_length=8, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN
    )
    result = models.TextField(_("办理结果"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("决定事项")
        verbose_name_plural = _("决定事项")
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["owner", "status"], name="action_item_owner"),
            models.Index(fields=["area_path", "status"], name="action_item_area"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ActionItemStatus]),
                name="action_item_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title
