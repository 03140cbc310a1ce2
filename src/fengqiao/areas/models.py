"""The area tree: city → district → town → community → grid (→ microgrid), and the
compounds, buildings and households that sit in grids."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.core.rows import Read

from . import paths


class Level(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("旗区县")
    TOWN = "town", _("苏木乡镇/街道")
    COMMUNITY = "community", _("嘎查村/社区")
    GRID = "grid", _("网格")
    MICROGRID = "microgrid", _("微网格")


LEVEL_ORDER = [lv.value for lv in Level]
# The level a child must have under a parent of each level.
CHILD_LEVEL = dict(zip(LEVEL_ORDER[:-1], LEVEL_ORDER[1:], strict=True))


class AreaQuerySet(models.QuerySet):
    def within(self, area: "Area") -> "AreaQuerySet":
        """The area and everything below it, in one index range scan."""
        return self.filter(paths.subtree_q("path", area.path))

    def below(self, area: "Area") -> "AreaQuerySet":
        return self.within(area).exclude(pk=area.pk)

    def within_paths(self, prefixes: list[str]) -> "AreaQuerySet":
        return self.filter(paths.any_subtree_q("path", prefixes))

    def ancestors_of(self, area: "Area") -> "AreaQuerySet":
        return self.at_paths(_prefixes(area.path))

    def at_paths(self, prefixes) -> "AreaQuerySet":
        """The areas at these paths, the top first (an area's chain, ``_prefixes``)."""
        return self.filter(path__in=prefixes).order_by("path")


def _prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(paths.SEGMENT, len(path) + 1, paths.SEGMENT)]


class Area(models.Model):
    code = models.CharField(_("区划代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=paths.MAX_LENGTH, unique=True, editable=False)
    # Only meaningful for grids: the planned number of households (网格规模).
    households_planned = models.PositiveIntegerField(_("规划户数"), default=0)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=LEVEL_ORDER), name="area_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return len(self.path) // paths.SEGMENT

    def is_within(self, other: "Area") -> bool:
        return self.path.startswith(other.path)

    def ancestors(self) -> AreaQuerySet:
        return Area.objects.ancestors_of(self)


# ``chain_of``'s reads, compiled once per depth (core.rows.Read).
_CHAIN_READS: dict[int, Read] = {}


def chain_of(area: Area) -> list[Area]:
    """``Area.objects.ancestors_of(area)`` as a list (itself included, the city first),
    for the write paths: read on every registration, the queryset cost more to compile
    than to run."""
    prefixes = _prefixes(area.path)
    read = _CHAIN_READS.get(len(prefixes))
    if read is None:
        read = Read(lambda *prefixes: Area.objects.at_paths(prefixes), *[str] * len(prefixes))
        _CHAIN_READS[len(prefixes)] = read
    return read(*prefixes)


class Compound(models.Model):
    """A residential compound (小区) inside a grid, with its property company."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="compounds")
    name = models.CharField(_("小区名称"), max_length=100)
    property_company = models.CharField(_("物业公司"), max_length=100, blank=True)
    owners_committee = models.CharField(_("业主委员会"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="buildings")
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="buildings"
    )
    name = models.CharField(_("楼栋"), max_length=100)

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="households")
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="households"
    )
    address = models.CharField(_("住址"), max_length=200)
    head_name = models.CharField(_("户主"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")

    def __str__(self) -> str:
        return self.address


class CenterKind(models.TextChoices):
    CENTER = "center", _("综治中心")
    STATION = "station", _("综治站")
    SERVICE_POINT = "service_point", _("综治服务点")


class Center(models.Model):
    """A governance centre (city, district, town), a station (village, community) or a
    service point below them, placed on the area it serves."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="centers")
    kind = models.CharField(_("类型"), max_length=16, choices=CenterKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("综治中心/站/服务点")
        verbose_name_plural = _("综治中心/站/服务点")
        ordering = ["area__path", "name"]

    def __str__(self) -> str:
        return self.name
