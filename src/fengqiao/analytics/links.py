"""Drill-through links from a figure to the case list with the same filters."""

from urllib.parse import urlencode

from django.urls import reverse

from .periods import Period

# Dimension → the case list's filter parameter.
LIST_PARAMS = {
    "state": "state",
    "kind": "kind",
    "category": "category",
    "channel": "channel",
    "grade": "grade",
    "risk": "risk",
    "unit": "unit",
}


def case_list_url(area, period: Period, **filters) -> str:
    query = {"area": area.pk, "date_from": period.start, "date_to": period.end}
    query.update({k: v for k, v in filters.items() if v not in (None, "")})
    return f"{reverse('cases:list')}?{urlencode(query)}"


def figures_url(name: str, area, period: Period) -> str:
    query = {"area": area.pk, "period": period.kind, "on": period.start}
    if period.kind == "custom":
        query["end"] = period.end
    return f"{reverse(name)}?{urlencode(query)}"
