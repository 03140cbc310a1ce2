"""Figures (统计): one fact row per case and a daily roll-up of those rows.

``CaseFact`` holds what one case contributes to every figure, computed from the case by
``facts.fact_for``. ``DailyFigure`` sums the facts by registration day, place and the
dimensions the dashboard breaks down by. Both change in the same transaction as the
case (``facts.case_writes``), so figures are never stale; ``fengqiao analytics rebuild``
recomputes them from the cases. See docs/adr/0005-figures-data-path.md.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.areas import paths
from fengqiao.cases.states import CLOCK_STATES, OPEN_STATES

CLOCK_STATE_VALUES = sorted(s.value for s in CLOCK_STATES)
OPEN_STATE_VALUES = sorted(s.value for s in OPEN_STATES)

# The dimensions of a fact, in the order of DailyFigure's unique key.
KEY_FIELDS = (
    "day",
    "area_path",
    "category_id",
    "kind",
    "channel",
    "grade",
    "risk",
    "state",
    "handling_level",
    "unit_key",
    "escalated",
)
# The 0/1 outcomes of one case, summed by DailyFigure (see facts.py for each definition).
MEASURES = (
    "accepted",
    "completed",
    "timed",
    "on_time",
    "dispatched",
    "returned",
    "reworked",
    "revisited",
    "revisit_valid",
    "satisfied",
    "agreements_due",
    "fulfilled",
    "mediated",
    "mediation_success",
    "repeat",
)


class FactKey(models.Model):
    """The dimensions a fact is counted under."""

    day = models.DateField()  # the local day the case was registered
    area_path = models.CharField(max_length=paths.MAX_LENGTH)  # the place of the case
    # The top-level category: the dashboard breaks down by the 19 national classes.
    category_id = models.IntegerField()
    kind = models.CharField(max_length=12)
    channel = models.CharField(max_length=16)
    grade = models.CharField(max_length=8, blank=True)
    risk = models.CharField(max_length=8, blank=True)
    state = models.CharField(max_length=16)
    handling_level = models.CharField(max_length=12)
    unit_key = models.IntegerField(default=0)  # the current unit's id, 0 for none
    escalated = models.BooleanField(default=False)

    class Meta:
        abstract = True


class Measures(models.Model):
    """The 0/1 outcomes of one case (see facts.py for each definition), or their sums."""

    accepted = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    timed = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    reworked = models.IntegerField(default=0)
    revisited = models.IntegerField(default=0)
    revisit_valid = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    agreements_due = models.IntegerField(default=0)
    fulfilled = models.IntegerField(default=0)
    mediated = models.IntegerField(default=0)
    mediation_success = models.IntegerField(default=0)
    repeat = models.IntegerField(default=0)

    class Meta:
        abstract = True


class CaseFact(FactKey, Measures):
    """What one case contributes to the figures now (rewritten on every change)."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="fact"
    )
    handler_id = models.IntegerField(null=True)  # the person the case is dispatched to
    handling_seconds = models.BigIntegerField(null=True)  # registration → completion
    due_at = models.DateTimeField(null=True)  # the handling deadline while the clock runs

    class Meta:
        indexes = [
            models.Index(fields=["area_path", "day"], name="fact_area_day"),
            models.Index(fields=["day", "area_path"], name="fact_day_area"),
            models.Index(fields=["handler_id", "day"], name="fact_handler_day"),
            models.Index(fields=["unit_key", "day"], name="fact_unit_day"),
            # The dashboard's lists: the state (an IN list) leads, so each is a few range
            # scans over open rows only. (Partial indexes would be smaller, but SQLite
            # cannot match their conditions against bound parameters.)
            models.Index(fields=["state", "area_path", "due_at"], name="fact_state_area_due"),
            models.Index(fields=["risk", "state", "area_path", "day"], name="fact_risk_state_area"),
            # The 90th percentile at city and district level: the handling-time histogram
            # names the bucket, then this index reads only that bucket's facts.
            models.Index(fields=["handling_seconds", "day", "area_path"], name="fact_handling"),
        ]

    def __str__(self) -> str:
        return f"fact {self.case_id}"


class DailyFigure(FactKey, Measures):
    """Sums of CaseFact rows sharing a day and every dimension."""

    n = models.IntegerField(default=0)
    handling_n = models.IntegerField(default=0)
    handling_seconds = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=list(KEY_FIELDS), name="daily_figure_key"),
        ]
        indexes = [
            models.Index(fields=["day", "area_path"], name="daily_day_area"),
            models.Index(fields=["area_path", "day"], name="daily_area_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_path} {self.n}"


# The widths (in path characters) the monthly roll-up is kept at: districts and towns.
MONTHLY_WIDTHS = (2 * paths.SEGMENT, 3 * paths.SEGMENT)
MONTHLY_KEY = ("width", "prefix", "month", "category_id", "kind", "state", "escalated")


class MonthlyFigure(Measures):
    """Sums of facts per month and district (width 10) or town (width 15), for the city
    and district dashboards over whole months: a few thousand rows a year instead of
    one per case. Cases placed above that level keep their own, shorter path."""

    width = models.PositiveSmallIntegerField()
    prefix = models.CharField(max_length=paths.MAX_LENGTH)
    month = models.DateField()  # the first day of the month
    category_id = models.IntegerField()
    kind = models.CharField(max_length=12)
    state = models.CharField(max_length=16)
    escalated = models.BooleanField(default=False)
    n = models.IntegerField(default=0)
    handling_n = models.IntegerField(default=0)
    handling_seconds = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=list(MONTHLY_KEY), name="monthly_figure_key"),
        ]
        indexes = [models.Index(fields=["width", "prefix", "month"], name="monthly_prefix")]

    def __str__(self) -> str:
        return f"{self.month} {self.prefix} {self.n}"


def _handling_bounds() -> tuple[int, ...]:
    """Bucket boundaries of handling time in seconds: one minute, then a sixth of a
    power of two apart (≈ 12 %), up to beyond four years."""
    bounds, i = [], 0
    while not bounds or bounds[-1] < 4 * 366 * 86400:
        bounds.append(round(60 * 2 ** (i / 6)))
        i += 1
    return tuple(bounds)


# Bucket b holds handling times in [HANDLING_BOUNDS[b - 1], HANDLING_BOUNDS[b]) (bucket 0:
# below the first bound; the last bucket is open above).
HANDLING_BOUNDS = _handling_bounds()


class MonthlyHandling(models.Model):
    """A histogram of handling times (registration → completion) per month and district
    (width 10) or town (width 15), the keys of MonthlyFigure: the city and district
    dashboards find the bucket that holds the 90th percentile here, then read the exact
    value from that bucket's facts."""

    width = models.PositiveSmallIntegerField()
    prefix = models.CharField(max_length=paths.MAX_LENGTH)
    month = models.DateField()  # the first day of the month
    bucket = models.PositiveSmallIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["width", "prefix", "month", "bucket"], name="monthly_handling_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.prefix} {self.bucket} {self.n}"


class GridYear(models.Model):
    """New and repeat disputes per grid and calendar year: the city's hotspot ranking
    over a year reads one row per grid instead of one per case."""

    year = models.DateField()  # the first day of the year
    grid_path = models.CharField(max_length=paths.MAX_LENGTH)
    n = models.IntegerField(default=0)
    repeat = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "grid_path"], name="grid_year_key"),
        ]

    def __str__(self) -> str:
        return f"{self.year:%Y} {self.grid_path} {self.n}"


class ScoreWeight(models.Model):
    """The weight of one indicator in the performance score (绩效考核权重); editable by
    administrators in the admin site."""

    indicator = models.CharField(_("指标"), max_length=24, unique=True)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("考核权重")
        verbose_name_plural = _("考核权重")
        ordering = ["indicator"]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.weight}"
