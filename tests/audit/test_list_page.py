"""The audit page: only for auditors, scoped to their areas, filtered, paged by seq."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from fengqiao.accounts.models import Role
from fengqiao.audit import views
from fengqiao.audit.log import record
from fengqiao.audit.models import Outcome
from tests import factories as f

pytestmark = pytest.mark.django_db
LIST = reverse("audit:list")


@pytest.fixture
def tree():
    return f.small_tree()


@pytest.fixture
def town_auditor(tree):
    return f.user("ada", Role.AUDITOR, tree["town_a"])


@pytest.fixture
def city_auditor(tree):
    return f.user("carl", Role.AUDITOR, tree["city"])


@pytest.fixture
def events(tree):
    record("test.in_a", area=tree["town_a_grid1"], actor_name="gina")
    record("test.in_b", area=tree["town_b"], actor_name="otto")
    record("login.failure", actor_name="nobody", outcome=Outcome.FAILED)


def page(client, **params) -> str:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return response.content.decode()


def test_town_auditor_sees_only_the_town(client, town_auditor, events):
    client.force_login(town_auditor)
    html = page(client)
    assert "test.in_a" in html
    assert "test.in_b" not in html
    assert "login.failure" not in html


def test_city_auditor_also_sees_records_without_an_area(client, city_auditor, events):
    client.force_login(city_auditor)
    html = page(client)
    assert all(a in html for a in ("test.in_a", "test.in_b", "login.failure"))


def test_page_is_refused_to_non_auditors(client, tree):
    mediator = f.user("mia", Role.MEDIATOR, tree["city"])
    client.force_login(mediator)
    assert client.get(LIST).status_code == 404


def test_filters_by_actor_action_and_outcome(client, city_auditor, events):
    client.force_login(city_auditor)
    assert "test.in_b" not in page(client, actor="gina")
    assert "test.in_a" in page(client, actor="gina")
    html = page(client, action="test.")
    assert "test.in_a" in html
    assert "login.failure" not in html
    html = page(client, outcome="failed")
    assert "login.failure" in html
    assert "test.in_a" not in html


def test_filters_by_local_date_and_shows_the_utc_offset(client, city_auditor):
    with time_machine.travel(dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC), tick=False):
        record("test.early")  # 2026-03-02 07:30 in Beijing
    with time_machine.travel(dt.datetime(2026, 3, 3, 1, 0, tzinfo=dt.UTC), tick=False):
        record("test.late")
    client.force_login(city_auditor)
    html = page(client, date_from="2026-03-02", date_to="2026-03-02")
    assert "test.early" in html
    assert "test.late" not in html
    assert "2026-03-02 07:30:00 +0800" in html


def test_pages_by_seq_newest_first(client, city_auditor, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    for i in range(7):
        record(f"test.n{i}")
    client.force_login(city_auditor)
    first = page(client, action="test.")
    assert "test.n6" in first
    assert "test.n3" not in first
    assert "更早的记录" in first
    before = first.split("before=")[1].split('"')[0]
    second = page(client, action="test.", before=before)
    assert "test.n3" in second
    assert "test.n6" not in second
