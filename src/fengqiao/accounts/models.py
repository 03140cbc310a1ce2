from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LEADER = "leader", _("中心主任/领导")
    INTAKE_OFFICER = "intake_officer", _("受理员")
    MEDIATOR = "mediator", _("调解员")
    GRID_WORKER = "grid_worker", _("网格员")
    UNIT_HANDLER = "unit_handler", _("部门办理人")
    AUDITOR = "auditor", _("审计员")
    ADMIN = "admin", _("系统管理员")


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username


class Assignment(models.Model):
    """A user's role on an area; it covers the area's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [
            models.UniqueConstraint(fields=["user", "area", "role"], name="assignment_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="assignment_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area}"


class LoginThrottle(models.Model):
    """Failed logins per username, kept whether or not the account exists, so that a
    lockout reveals nothing about which accounts are real."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.username
