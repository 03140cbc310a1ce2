"""The same access rules as the pages: a grid worker of another street and a handler of
another unit get 404 on the case and its actions, and never see it in lists or counts."""

import pytest

from fengqiao.audit.models import AuditRecord
from fengqiao.cases.models import Case, TimelineEvent
from fengqiao.cases.states import Action, State

from .conftest import VALID_BODIES, register_body


@pytest.fixture
def police_case(world, api_as):
    """A case in 工业社区第1网格, graded and dispatched to the police station."""
    intake = api_as(world.intake)
    cid = intake.post("/cases", register_body()).json()["id"]
    intake.act(cid, "accept")
    intake.act(cid, "assess", {"grade": "minor", "risk": "blue"})
    assert intake.act(cid, "dispatch", {"unit": world.police.pk}).status_code == 200
    return cid


def _assert_invisible(api, cid):
    missing = api.get("/cases/987654321")
    hidden = api.get(f"/cases/{cid}")
    # the same 404, word for word, for a case that is missing and one that is hidden
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    listing = api.get("/cases")
    assert listing.status_code == 200
    assert cid not in [item["id"] for item in listing.json()["items"]]
    assert listing.json()["count"] == 0
    assert api.get("/cases", {"q": "漏水"}).json()["count"] == 0


def test_a_grid_worker_of_another_street_gets_404_everywhere(world, elsewhere, api_as, police_case):
    _, _, stranger = elsewhere
    api = api_as(stranger)
    _assert_invisible(api, police_case)
    events = TimelineEvent.objects.count()
    assert set(VALID_BODIES) == set(Action.values)
    for action in Action:
        response = api.act(police_case, action.value, VALID_BODIES[action.value])
        assert response.status_code == 404, action
    assert TimelineEvent.objects.count() == events
    assert Case.objects.get(pk=police_case).state == State.DISPATCHED
    # the probes are on record as refusals
    assert AuditRecord.objects.filter(action="access.denied", actor_id=stranger.pk).exists()


def test_a_handler_of_another_unit_gets_404(world, api_as, police_case):
    api = api_as(world.judicial_handler)
    _assert_invisible(api, police_case)
    assert api.act(police_case, "sign_for").status_code == 404
    assert Case.objects.get(pk=police_case).state == State.DISPATCHED


def test_the_handler_of_the_unit_sees_and_signs_for_the_case(world, api_as, police_case):
    api = api_as(world.police_handler)
    detail = api.get(f"/cases/{police_case}").json()
    assert detail["allowed_actions"] == ["sign_for", "return"]
    assert api.get("/cases").json()["count"] == 1
    assert api.act(police_case, "sign_for").json()["state"] == State.SIGNED_FOR


def test_a_grid_worker_sees_cases_in_their_grid_only(world, api_as, police_case):
    own = api_as(world.grid_worker)
    other = api_as(world.other_grid_worker)
    assert own.get(f"/cases/{police_case}").status_code == 200
    assert own.get("/cases").json()["count"] == 1
    _assert_invisible(other, police_case)


def test_allowed_actions_are_only_those_the_caller_may_take(world, api_as):
    cid = api_as(world.intake).post("/cases", register_body()).json()["id"]
    assert api_as(world.intake).get(f"/cases/{cid}").json()["allowed_actions"] == [
        "accept",
        "decline",
    ]
    assert api_as(world.grid_worker).get(f"/cases/{cid}").json()["allowed_actions"] == []


def test_a_grid_worker_cannot_register_outside_their_grid(world, api_as):
    api = api_as(world.grid_worker)
    response = api.post("/cases", register_body(area="150602001001002"))
    assert response.status_code == 400
    assert response.json()["fields"]["area"] == ["区域代码不存在或不在您的辖区内：150602001001002"]
    assert not Case.objects.exists()


def test_area_children_are_scoped(world, elsewhere, api_as):
    street, grid, stranger = elsewhere
    api = api_as(stranger)
    # their own grid (no children) answers; their street above it and 工业街道 do not
    assert api.get(f"/areas/{grid.pk}/children").json() == []
    assert api.get(f"/areas/{street.pk}/children").status_code == 404
    assert api.get(f"/areas/{world.street.pk}/children").status_code == 404
    assert api.get("/areas/987654321/children").status_code == 404
    assert [a["code"] for a in api.get("/areas").json()] == ["150602002001001"]
    director = api_as(world.director)
    children = director.get(f"/areas/{world.street.pk}/children").json()
    assert [a["name"] for a in children] == ["工业社区"]


def test_units_are_scoped_to_the_callers_areas_and_above(world, elsewhere, api_as):
    _, _, stranger = elsewhere
    assert api_as(stranger).get("/units").json() == []
    names = {u["name"] for u in api_as(world.grid_worker).get("/units").json()}
    # the grid's property company and the street's units above the grid
    assert names == {"阳光物业", "工业街道派出所", "工业街道司法所"}
    police = api_as(world.police_handler).get("/units", {"kind": "police_station"}).json()
    assert [u["name"] for u in police] == ["工业街道派出所"]


def test_categories_list_the_seeded_two_level_codes(world, api_as):
    categories = api_as(world.intake).get("/categories").json()
    codes = {c["code"] for c in categories}
    assert "D17" in codes
    assert any(c["parent"] for c in categories) or len(codes) >= 27


def test_the_list_filters_searches_and_pages(world, api_as):
    intake = api_as(world.intake)
    ids = [
        intake.post("/cases", register_body(title=f"第{i}件 漏水纠纷")).json()["id"]
        for i in range(5)
    ]
    other = intake.post(
        "/cases",
        register_body(
            title="噪音扰民",
            narrative="夜间广场舞音响过大",
            kind="complaint",
            area="150602001001002",
        ),
    ).json()["id"]
    intake.act(other, "accept")
    # search over title and party names, through the search index
    assert intake.get("/cases", {"q": "噪音"}).json()["count"] == 1
    assert intake.get("/cases", {"q": "张三 漏水"}).json()["count"] == 5
    # filters
    assert intake.get("/cases", {"state": "accepted"}).json()["items"][0]["id"] == other
    assert intake.get("/cases", {"kind": "complaint"}).json()["count"] == 1
    assert intake.get("/cases", {"area": "150602001001001"}).json()["count"] == 5
    assert intake.get("/cases", {"category": "D17"}).json()["count"] == 6
    assert intake.get("/cases", {"overdue": "true"}).json()["count"] == 0
    assert intake.get("/cases", {"created_from": "2000-01-01"}).json()["count"] == 6
    assert intake.get("/cases", {"created_to": "2000-01-01"}).json()["count"] == 0
    # pages by offset and by cursor, newest first
    first = intake.get("/cases", {"limit": 4}).json()
    assert [c["id"] for c in first["items"]] == [other, *ids[::-1][:3]]
    assert first["count"] == 6
    nxt = intake.get("/cases", {"limit": 4, "after": first["next_after"]}).json()
    assert [c["id"] for c in nxt["items"]] == ids[::-1][3:]
    assert nxt["next_after"] is None
    assert intake.get("/cases", {"limit": 4, "offset": 4}).json()["items"] == nxt["items"]


def test_a_party_given_by_id_outside_the_users_reach_reads_as_missing(world, api_as, elsewhere):
    from fengqiao.people.actions import create_person
    from fengqiao.people.models import Person

    _, grid, _ = elsewhere
    stranger = create_person(actor=None, area=grid, name="王外街")
    nearby = create_person(actor=None, area=world.grid1, name="赵本街")
    intake = api_as(world.intake)
    before = (Case.objects.count(), Person.objects.count(), AuditRecord.objects.count())

    def with_party(pk):
        return register_body(parties=[{"role": "applicant", "person": pk}])

    outside = intake.post("/cases", with_party(stranger.pk))
    missing = intake.post("/cases", with_party(987654))

    # the same refusal, word for word, for a person out of reach and one that is missing
    assert outside.status_code == missing.status_code == 400
    assert outside.json()["fields"]["parties.0.person"] == [f"人员不存在：{stranger.pk}"]
    assert missing.json()["fields"]["parties.0.person"] == ["人员不存在：987654"]
    assert (Case.objects.count(), Person.objects.count(), AuditRecord.objects.count()) == before
    # a person within the street is taken as given
    assert intake.post("/cases", with_party(nearby.pk)).status_code == 201
