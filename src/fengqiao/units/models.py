"""Handling units (派出所, 司法所, 物业 …): where cases are dispatched, and who works there."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.areas import paths


class UnitKind(models.TextChoices):
    POLICE_STATION = "police_station", _("派出所")
    JUDICIAL_OFFICE = "judicial_office", _("司法所")
    PETITIONS_OFFICE = "petitions_office", _("信访办")
    COURT = "court", _("法庭")
    PROPERTY_COMPANY = "property_company", _("物业公司")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    MEDIATION_COMMITTEE = "mediation_committee", _("调委会")
    DEPARTMENT = "department", _("部门")
    OTHER = "other", _("其他")


class UnitScope(models.TextChoices):
    TERRITORIAL = "territorial", _("属地部门")
    FUNCTIONAL = "functional", _("职能部门")


class UnitQuerySet(models.QuerySet):
    def within(self, area) -> "UnitQuerySet":
        return self.filter(paths.subtree_q("area_path", area.path))

    def active(self) -> "UnitQuerySet":
        return self.filter(is_active=True)

    def of_user(self, user) -> "UnitQuerySet":
        return self.filter(members__user=user)


class Unit(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    scope = models.CharField(
        _("属地/职能"), max_length=12, choices=UnitScope.choices, default=UnitScope.TERRITORIAL
    )
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="units")
    # The compound a property company or owners' committee serves, for micro cases.
    compound = models.ForeignKey(
        "areas.Compound", on_delete=models.PROTECT, null=True, blank=True, related_name="units"
    )
    # Denormalized from ``area`` so that "units within this town" is one range scan.
    area_path = models.CharField(max_length=paths.MAX_LENGTH, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["area_path", "name"]
        indexes = [models.Index(fields=["area_path", "kind"], name="unit_area_kind")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in UnitKind]), name="unit_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(scope__in=[s.value for s in UnitScope]),
                name="unit_scope_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UnitMember(models.Model):
    """A user who handles the unit's cases (with role ``unit_handler`` on its area)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("单位办理人")
        verbose_name_plural = _("单位办理人")
        constraints = [
            models.UniqueConstraint(fields=["unit", "user"], name="unit_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.user}"
