"""/api/v1/figures and /api/v1/meetings: the dashboard's numbers, the caller's areas only."""

import datetime as dt

from django.utils import timezone

from fengqiao.analytics import figures
from fengqiao.analytics.periods import parse
from tests.api.conftest import api_as  # noqa: F401
from tests.cases.builders import register

from .helpers import closed_case


def test_figures_api_matches_the_dashboard_and_is_scoped(api_as, world, other_street):  # noqa: F811
    closed_case(world, world.grid1)
    register(world.director, world.grid2)
    register(other_street[2], other_street[1], title="昭君纠纷")
    api = api_as(world.director)
    reply = api.get("/figures", {"area": world.street.pk, "period": "month"})
    assert reply.status_code == 200
    body = reply.json()
    summary = figures.summary(world.street, parse({"period": "month"}))
    assert body["total"] == summary.total == 2
    for got, rate in zip(body["rates"], summary.rates, strict=True):
        assert (got["key"], got["numerator"], got["denominator"]) == (
            rate.key,
            rate.numerator,
            rate.denominator,
        )
        assert got["formula"]
    children = api.get("/figures/children", {"area": world.street.pk}).json()
    assert [c["label"] for c in children] == ["工业社区"]
    kinds = api.get("/figures/breakdown/kind", {"area": world.street.pk}).json()
    assert kinds == [{"value": "dispute", "label": "矛盾纠纷", "n": 2, "repeat": 0}]
    # And the other street is the common 404
    assert api.get("/figures", {"area": other_street[0].pk}).status_code == 404


def test_meetings_api_plan_item_and_owner_closes(api_as, world):  # noqa: F811
    today = timezone.localdate()
    director, mediator = api_as(world.director), api_as(world.mediator)
    made = director.post(
        "/meetings",
        {
            "area": world.street.pk,
            "period_start": str(today.replace(day=1)),
            "period_end": str(today),
        },
    )
    assert made.status_code == 201
    meeting_id = made.json()["id"]
    item = director.post(
        f"/meetings/{meeting_id}/items",
        {
            "title": "回访当事人",
            "owner": world.mediator.pk,
            "responsibility": "核实履行",
            "deadline": str(today + dt.timedelta(days=5)),
        },
    )
    assert item.status_code == 201
    mine = mediator.get("/action-items").json()
    assert [i["title"] for i in mine] == ["回访当事人"]
    # The director may not close it; the mediator may
    item_id = item.json()["id"]
    assert director.post(f"/action-items/{item_id}/complete", {"result": "代办"}).status_code == 409
    done = mediator.post(f"/action-items/{item_id}/complete", {"result": "已履行"})
    assert done.json()["status"] == "done"
    # A grid worker sees no meetings and reaches none
    assert api_as(world.grid_worker).get(f"/meetings/{meeting_id}").status_code == 404
