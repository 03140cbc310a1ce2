"""Performance review (绩效考核): per unit and per person, the outcomes of the cases
they handle, weighted into a score (weights in ``ScoreWeight``, editable by admins) and
ranked within a level (units by the level of their area, people by role).

A case counts for the unit or person it is dispatched to now; outcomes, not entries:
resolved, on time, revisited, satisfied, returned, sent back for rework.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Assignment, Role, User
from fengqiao.areas import paths
from fengqiao.areas.models import Level
from fengqiao.cases.states import State
from fengqiao.units.models import Unit

from .models import CaseFact, ScoreWeight
from .periods import Period

INDICATORS = {
    "handled": _("办理量（相对同级最多者）"),
    "resolution": _("化解率"),
    "on_time": _("按期办结率"),
    "revisit_on_time": _("按期回访率"),
    "satisfaction": _("满意率"),
    "returns": _("退单率"),
    "rework": _("返工率"),
}
_SUMS = {
    "handled": Sum("accepted"),
    "resolved": Sum("accepted", filter=Q(state=State.CLOSED)),
    "on_time": Sum("on_time"),
    "timed": Sum("timed"),
    "revisited": Sum("revisited"),
    "satisfied": Sum("satisfied"),
    "revisit_valid": Sum("revisit_valid"),
    "returned": Sum("returned"),
    "reworked": Sum("reworked"),
    "completed": Sum("completed"),
}


def _pct(num: int, den: int) -> Decimal:
    return Decimal(0) if not den else Decimal(100 * num) / den


@dataclass
class Entry:
    key: int
    name: str
    level: str
    counts: dict
    indicators: dict = field(default_factory=dict)
    score: Decimal = Decimal(0)
    rank: int = 0


def weights() -> dict[str, Decimal]:
    found = dict(ScoreWeight.objects.values_list("indicator", "weight"))
    return {k: Decimal(found.get(k, 0)) for k in INDICATORS}


def _score(entries: list[Entry], w: dict[str, Decimal]) -> None:
    """Indicators in percent; the score is Σ weight × indicator / 100; rank per level."""
    most = defaultdict(int)
    for e in entries:
        most[e.level] = max(most[e.level], e.counts["handled"])
    for e in entries:
        c = e.counts
        e.indicators = {
            "handled": _pct(c["handled"], most[e.level]),
            "resolution": _pct(c["resolved"], c["handled"]),
            "on_time": _pct(c["on_time"], c["timed"]),
            "revisit_on_time": _pct(c["revisits_on_time"], c["revisits_due"]),
            "satisfaction": _pct(c["satisfied"], c["revisit_valid"]),
            "returns": _pct(c["returned"], c["handled"]),
            "rework": _pct(c["reworked"], c["completed"]),
        }
        total = sum(w[k] * v / 100 for k, v in e.indicators.items())
        e.score = Decimal(total).quantize(Decimal("0.01"))
        e.indicators = {k: v.quantize(Decimal("0.1")) for k, v in e.indicators.items()}
    by_level = defaultdict(list)
    for e in entries:
        by_level[e.level].append(e)
    for group in by_level.values():
        group.sort(key=lambda e: (-e.score, -e.counts["handled"], e.name))
        for i, e in enumerate(group, 1):
            e.rank = i


def _facts(area, period: Period):
    return CaseFact.objects.filter(
        paths.subtree_q("area_path", area.path), day__gte=period.start, day__lte=period.end
    )


def _counts(row: dict, revisits: dict | None = None) -> dict:
    counts = {k: row[f"s_{k}"] or 0 for k in _SUMS}
    due, on_time = (revisits or {}).get(row.get("unit_key", row.get("handler_id")), (0, 0))
    return counts | {"revisits_due": due, "revisits_on_time": on_time}


def revisits_by(area, period: Period, column: str) -> dict[int, tuple[int, int]]:
    """Revisits due in the period on the area's cases (done or still due; waived and
    cancelled ones left out), and how many were done by their due day, per owner or per
    the case's current unit. Empty until the mediation app is installed."""
    if not apps.is_installed("fengqiao.mediation"):
        return {}
    Revisit = apps.get_model("mediation", "Revisit")
    rows = (
        Revisit.objects.filter(
            paths.subtree_q("case__area_path", area.path),
            due_on__gte=period.start,
            due_on__lte=period.end,
            status__in=["due", "done"],
        )
        .values(column)
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(status="done", done_at__date__lte=F("due_on"))),
        )
    )
    return {r[column]: (r["due"], r["on_time"]) for r in rows if r[column] is not None}


def review(area, period: Period) -> dict:
    """Units and people with their counts, indicators, scores and ranks (7 queries)."""
    annotations = {f"s_{k}": v for k, v in _SUMS.items()}
    w = weights()
    unit_rows = list(
        _facts(area, period).exclude(unit_key=0).values("unit_key").annotate(**annotations)
    )
    units = Unit.objects.in_bulk([r["unit_key"] for r in unit_rows])
    level_names = dict(Level.choices)
    unit_revisits = revisits_by(area, period, "case__current_unit_id")
    unit_entries = [
        Entry(
            u.pk,
            u.name,
            str(level_names.get(_level_of(u.area_path), "")),
            _counts(r, unit_revisits),
        )
        for r in unit_rows
        if (u := units.get(r["unit_key"])) is not None
    ]
    person_rows = list(
        _facts(area, period)
        .filter(handler_id__isnull=False)
        .values("handler_id")
        .annotate(**annotations)
    )
    ids = [r["handler_id"] for r in person_rows]
    people = User.objects.in_bulk(ids)
    roles = _roles(ids)
    person_revisits = revisits_by(area, period, "owner_id")
    person_entries = [
        Entry(p.pk, str(p), roles.get(p.pk, ""), _counts(r, person_revisits))
        for r in person_rows
        if (p := people.get(r["handler_id"])) is not None
    ]
    _score(unit_entries, w)
    _score(person_entries, w)
    order = lambda e: (e.level, e.rank)  # noqa: E731
    return {
        "weights": w,
        "indicators": INDICATORS,
        "units": sorted(unit_entries, key=order),
        "people": sorted(person_entries, key=order),
    }


def _level_of(path: str) -> str:
    depth = len(path) // paths.SEGMENT
    levels = [lv.value for lv in Level]
    return levels[depth - 1] if 0 < depth <= len(levels) else ""


# A person is ranked among people of their working role, the most hands-on first.
_ROLE_ORDER = [Role.GRID_WORKER, Role.MEDIATOR, Role.UNIT_HANDLER, Role.LEADER]


def _roles(user_ids: list[int]) -> dict[int, str]:
    labels = dict(Role.choices)
    held = defaultdict(set)
    for user_id, role in Assignment.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "role"
    ):
        held[user_id].add(role)
    out = {}
    for user_id, roles in held.items():
        role = next((r for r in _ROLE_ORDER if r in roles), next(iter(roles)))
        out[user_id] = str(labels.get(role, role))
    return out
