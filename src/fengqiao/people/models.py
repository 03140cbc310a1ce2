"""Residents (实有人口). ID numbers and phones are sensitive: stored whole, shown masked
(see ``masking``), unmasked only with a permission and an audit record."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")
    UNKNOWN = "unknown", _("未知")


class DataSource(models.TextChoices):
    CENSUS = "census", _("人口普查")
    GRID_COLLECTION = "grid", _("网格采集")
    INTAKE = "intake", _("受理登记")
    IMPORT = "import", _("批量导入")
    DEMO = "demo", _("演示数据")


class PersonQuerySet(models.QuerySet):
    def in_city(self, city_path: str) -> "PersonQuerySet":
        return self.filter(city_path=city_path)


class Person(models.Model):
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    sex = models.CharField(_("性别"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="people")
    household = models.ForeignKey(
        "areas.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    # Denormalized from ``area`` so that scoping and the per-city uniqueness of ID
    # numbers are single-index checks.
    area_path = models.CharField(max_length=40, db_index=True, editable=False)
    city_path = models.CharField(max_length=40, editable=False)
    # Last four characters of the ID number, for searching by a masked number.
    id_tail = models.CharField(max_length=4, blank=True, db_index=True, editable=False)
    data_source = models.CharField(
        _("数据来源"), max_length=10, choices=DataSource.choices, default=DataSource.INTAKE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            models.UniqueConstraint(
                fields=["city_path", "id_number"],
                condition=~models.Q(id_number=""),
                name="person_id_number_unique_in_city",
            ),
        ]
        # By ID number alone: the intake's duplicate check looks a draft party up in
        # every city the officer sees (the unique index leads with the city; without
        # this, a seq scan of the register: 32 ms at 510,000 people).
        indexes = [models.Index(fields=["id_number"], name="person_id_number")]

    def __str__(self) -> str:
        return self.name
