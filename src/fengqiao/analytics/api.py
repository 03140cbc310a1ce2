"""/figures on the JSON API: the same figures as the dashboard, for the caller's areas
only (the common 404 elsewhere)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Query, Router, Schema
from pydantic import Field

from fengqiao.api.errors import ErrorOut

from . import figures, periods
from .scope import area_for

router = Router(tags=["统计"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PeriodIn(Schema):
    area: int | None = Field(None, ge=1, description="区域 id；缺省为调用者的顶层区域")
    period: Literal["day", "week", "month", "quarter", "year", "custom"] = "month"
    on: dt.date | None = Field(None, description="期间内的任一天；自定义期间的开始日")
    end: dt.date | None = Field(None, description="自定义期间的结束日")


class Excluded(Schema):
    label: str
    n: int


class RateOut(Schema):
    key: str
    label: str
    formula: str
    numerator: int
    denominator: int
    value: Decimal | None
    excluded: list[Excluded]


class DurationOut(Schema):
    label: str
    formula: str
    hours: Decimal | None
    count: int


class PeriodOut(Schema):
    kind: str
    start: dt.date
    end: dt.date
    label: str


class FiguresOut(Schema):
    area_id: int
    area_name: str
    period: PeriodOut
    total: int
    by_state: dict[str, int]
    rates: list[RateOut]
    durations: list[DurationOut]


class CountOut(Schema):
    value: str
    label: str
    n: int
    repeat: int


class ChildOut(Schema):
    area_id: int | None
    label: str
    n: int
    closed: int
    resolution_rate: Decimal | None
    on_time_rate: Decimal | None
    repeat: int


def _resolve(request, q: PeriodIn):
    params = {
        "period": q.period,
        "on": q.on and q.on.isoformat(),
        "end": q.end and q.end.isoformat(),
    }
    return area_for(request.auth, q.area), periods.parse(params)


def _period(p) -> dict:
    return {"kind": p.kind, "start": p.start, "end": p.end, "label": p.label}


@router.get("/figures", response={200: FiguresOut, **ERRORS}, summary="指标（含公式、分子、分母）")
def get_figures(request, q: Query[PeriodIn]):
    area, period = _resolve(request, q)
    s = figures.summary(area, period)
    return {
        "area_id": area.pk,
        "area_name": area.name,
        "period": _period(period),
        "total": s.total,
        "by_state": s.totals.by_state,
        "rates": [
            {
                "key": f.key,
                "label": str(f.label),
                "formula": str(f.formula),
                "numerator": f.numerator,
                "denominator": f.denominator,
                "value": f.value,
                "excluded": [{"label": str(label), "n": n} for label, n in f.excluded],
            }
            for f in s.rates
        ],
        "durations": [
            {"label": str(d.label), "formula": str(d.formula), "hours": d.hours, "count": d.count}
            for d in s.durations
        ],
    }


@router.get(
    "/figures/breakdown/{dimension}",
    response={200: list[CountOut], **ERRORS},
    summary="按维度分组的事项数",
)
def get_breakdown(
    request,
    dimension: Literal[
        "state", "kind", "category", "channel", "grade", "risk", "handling_level", "unit"
    ],
    q: Query[PeriodIn],
):
    area, period = _resolve(request, q)
    return [
        {"value": str(c.value), "label": c.label, "n": c.n, "repeat": c.repeat}
        for c in figures.breakdown(area, period, dimension)
    ]


@router.get("/figures/children", response={200: list[ChildOut], **ERRORS}, summary="下级区域")
def get_children(request, q: Query[PeriodIn]):
    area, period = _resolve(request, q)
    return [
        {
            "area_id": r.area.pk if r.area else None,
            "label": str(r.label),
            "n": r.n,
            "closed": r.closed,
            "resolution_rate": r.resolution_rate,
            "on_time_rate": r.on_time_rate,
            "repeat": r.repeat,
        }
        for r in figures.by_child(area, period)
    ]
