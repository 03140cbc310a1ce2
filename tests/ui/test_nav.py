import pytest
from django.test import RequestFactory
from django.urls import reverse

from fengqiao.areas.access import Perm
from fengqiao.core import nav
from fengqiao.core.nav import NavEntry, navigation_for

pytestmark = pytest.mark.django_db

# Entries pointing at URLs that exist today, each behind a different permission.
ENTRIES = [
    NavEntry("home", "工作台", "home", None),
    NavEntry("accounts:login", "区域浏览", "map", Perm.AREA_VIEW),
    NavEntry("set_language", "审计日志", "shield", Perm.AUDIT_VIEW),
    NavEntry("admin:index", "区划导入", "upload", Perm.AREA_MANAGE),
]


@pytest.fixture
def entries(monkeypatch):
    monkeypatch.setattr(nav, "NAV", ENTRIES)


def labels_for(user) -> list[str]:
    request = RequestFactory().get("/")
    return [item["label"] for item in navigation_for(user, request)]


def test_grid_worker_sees_only_entries_of_their_permissions(entries, grid_worker):
    assert labels_for(grid_worker) == ["工作台", "区域浏览"]


def test_auditor_also_sees_the_audit_log(entries, auditor):
    assert labels_for(auditor) == ["工作台", "区域浏览", "审计日志"]


def test_superuser_sees_every_entry(entries, db):
    from tests import factories as f

    root = f.user("root", is_superuser=True)

    assert labels_for(root) == ["工作台", "区域浏览", "审计日志", "区划导入"]


def test_entry_whose_url_does_not_exist_yet_is_left_out(monkeypatch, auditor):
    monkeypatch.setattr(nav, "NAV", [*ENTRIES, NavEntry("nowhere:list", "未上线", "x", None)])

    assert "未上线" not in labels_for(auditor)


def test_sidebar_and_quick_links_show_permitted_entries_only(client, entries, grid_worker):
    client.force_login(grid_worker)

    html = client.get(reverse("home")).content.decode()

    assert "区域浏览" in html
    assert "审计日志" not in html
    assert "区划导入" not in html


def test_current_page_is_marked_active(entries, grid_worker):
    request = RequestFactory().get(reverse("accounts:login"))

    items = {i["label"]: i["active"] for i in navigation_for(grid_worker, request)}

    assert items == {"工作台": False, "区域浏览": True}
