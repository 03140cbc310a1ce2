"""The residents' page: the tracking code shows the state and step headlines only,
never personal data; ratings belong to the case and the handler; look-ups are limited."""

import pytest
from django.core.cache import cache
from django.test import Client

from fengqiao.cases import actions as case_actions
from fengqiao.mediation.models import Rating


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def test_tracking_shows_state_and_headlines_without_personal_data(desk, case):
    page = Client().post("/track/", {"code": case.tracking_code}).content.decode()
    assert "办理中" in page
    assert "已派单办理" in page
    for secret in ("张三", "李四", "13812345678", "吴调解", "3号楼", case.title):
        assert secret not in page
    assert 'data-testid="rating-form"' not in page  # not completed yet


def test_an_unknown_code_says_so(db):
    page = Client().post("/track/", {"code": "NOPE2345"}).content.decode()
    assert "查询码不正确" in page


def test_a_resident_rates_the_handling_once(desk, case):
    case_actions.complete_case(actor=desk.world.mediator, case=case, feedback="已调解")
    client = Client()
    page = client.post(
        "/track/", {"code": case.tracking_code, "stars": "4", "text": "很耐心"}, follow=True
    )
    assert "感谢您的评价" in page.content.decode()
    rating = Rating.objects.get(case=case)
    assert rating.stars == 4
    assert rating.handler == desk.world.mediator
    assert case.timeline.filter(action="rating").exists()
    again = client.post("/track/", {"code": case.tracking_code, "stars": "1"})
    assert "已评价" in again.content.decode()
    assert Rating.objects.filter(case=case).count() == 1


def test_guessing_codes_is_rate_limited(db):
    client = Client()
    codes = [client.post("/track/", {"code": f"GUESS{n:03d}"}).status_code for n in range(25)]
    assert codes[:20] == [200] * 20
    assert codes[-1] == 429


def test_the_public_api_tracks_and_rates_without_a_token(desk, case):
    case_actions.complete_case(actor=desk.world.mediator, case=case, feedback="已调解")
    client = Client()
    body = client.get(f"/api/v1/track/{case.tracking_code}").json()
    assert body["state"] == "completed"
    assert "张三" not in str(body)
    response = client.post(
        f"/api/v1/track/{case.tracking_code}/rating",
        {"stars": 5, "text": "满意"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert client.get("/api/v1/track/NOPE2345").status_code == 404
