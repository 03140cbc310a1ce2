"""Open311 GeoReport v2: services from the categories; a posted request becomes an
online case whose tracking code is the service_request_id; status read by that code."""

import pytest
from django.test import Client

from fengqiao.api.actions import issue_token
from fengqiao.cases.models import Case, Channel, Party
from fengqiao.cases.states import State

BASE = "/open311/v2"


@pytest.fixture
def key(world):
    return issue_token(actor=None, user=world.grid_worker, name="随手拍小程序").key


def post_request(data: dict):
    return Client().post(f"{BASE}/requests.json", data)


def good(key, **overrides) -> dict:
    data = {
        "api_key": key,
        "service_code": "G01",
        "description": "小区门口路灯不亮，晚上出行不便。",
        "lat": "39.8166",
        "long": "109.9890",
        "address_string": "阳光小区南门",
        "last_name": "王",
        "first_name": "小明",
        "phone": "13912345678",
    }
    data.update(overrides)
    return data


def test_services_list_the_active_categories(world):
    services = Client().get(f"{BASE}/services.json").json()
    codes = {s["service_code"] for s in services}
    assert {"D17", "G01"} <= codes
    d17 = next(s for s in services if s["service_code"] == "D17")
    assert d17["metadata"] is False
    assert d17["type"] == "realtime"
    assert Client().get(f"{BASE}/services/D17.json").json()["attributes"] == []
    assert Client().get(f"{BASE}/services/ZZ99.json").status_code == 404


def test_a_posted_request_becomes_an_online_case_in_the_callers_area(world, key):
    response = post_request(good(key))
    assert response.status_code == 201, response.content
    receipt = response.json()[0]
    case = Case.objects.get(tracking_code=receipt["service_request_id"])
    assert case.number in receipt["service_notice"]
    assert case.channel == Channel.ONLINE
    assert case.area == world.grid1
    assert case.category.code == "G01"
    assert "阳光小区南门" in case.narrative
    party = Party.objects.get(case=case)
    assert (party.person.name, party.person.phone) == ("王小明", "13912345678")


def test_a_request_is_read_by_its_tracking_code_without_personal_data(world, key, api_as):
    code = post_request(good(key)).json()[0]["service_request_id"]
    found = Client().get(f"{BASE}/requests/{code}.json").json()
    assert found[0]["service_request_id"] == code
    assert found[0]["status"] == "open"
    assert found[0]["status_notes"] == "已登记"
    body = Client().get(f"{BASE}/requests/{code}.json").content.decode()
    assert "13912345678" not in body
    assert "王小明" not in body
    assert "路灯" not in body
    # the same through the list form, and closed once the case has left the loop
    case = Case.objects.get(tracking_code=code)
    api_as(world.intake).act(case.pk, "decline", {"reason": "重复提交"})
    listed = Client().get(f"{BASE}/requests.json", {"service_request_id": f"{code},NOPE"}).json()
    assert [(r["service_request_id"], r["status"]) for r in listed] == [(code, "closed")]
    assert Case.objects.get(pk=case.pk).state == State.DECLINED


def test_an_unknown_tracking_code_answers_404(world):
    response = Client().get(f"{BASE}/requests/ABCDEFGHJKMN.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"api_key": "fq_wrong"}, 403, "api_key"),
        ({"api_key": ""}, 403, "api_key"),
        ({"service_code": "ZZ99"}, 400, "类别编码不存在"),
        ({"service_code": ""}, 400, ""),
        ({"description": ""}, 400, ""),
        ({"description": "灯" * 10001}, 400, "不能超过"),
        ({"lat": "north"}, 400, "lat"),
        ({"lat": "95"}, 400, "lat"),
        ({"long": ""}, 400, ""),
        ({"phone": "12345"}, 400, "电话"),
        ({"jurisdiction_id": "150602001001002"}, 400, "区域代码不存在或不在您的辖区内"),
        ({"jurisdiction_id": "999"}, 400, "区域代码不存在"),
    ],
)
def test_a_bad_request_is_refused_in_open311_form_and_stores_nothing(
    world, key, change, status, says
):
    response = post_request(good(key, **change))
    assert response.status_code == status, response.content
    error = response.json()[0]
    assert error["code"] == status
    assert says in error["description"]
    assert not Case.objects.exists()


def test_the_key_may_come_as_a_bearer_header(world, key):
    data = good(key)
    data.pop("api_key")
    response = Client().post(f"{BASE}/requests.json", data, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201


def test_a_user_with_several_areas_must_name_the_jurisdiction(world, api_as):
    from fengqiao.accounts.models import Assignment, Role

    Assignment.objects.create(user=world.mediator, area=world.grid2, role=Role.GRID_WORKER)
    Assignment.objects.create(user=world.mediator, area=world.city, role=Role.AUDITOR)
    multi = issue_token(actor=None, user=world.other_grid_worker, name="x").key
    Assignment.objects.create(user=world.other_grid_worker, area=world.grid1, role=Role.GRID_WORKER)
    response = post_request(good(multi))
    assert response.status_code == 400
    assert "jurisdiction_id" in response.json()[0]["description"]
    assert post_request(good(multi, jurisdiction_id="150602001001002")).status_code == 201


def test_the_open311_document_lists_its_routes(db):
    from openapi_spec_validator import validate

    document = Client().get(f"{BASE}/openapi.json").json()
    validate(document)
    paths = document["paths"]
    assert {
        f"{BASE}/services.json",
        f"{BASE}/requests.json",
        f"{BASE}/requests/{{service_request_id}}.json",
    } <= set(paths)
