import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_login_page_renders_in_chinese_by_default(client):
    response = client.get(reverse("accounts:login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in html
    assert "枫桥 · 综治中心信息平台" in html
    assert "登录" in html
    assert 'class="form-control' in html  # the form renderer styles the fields


def test_switching_to_english_changes_the_login_page_language(client):
    login = reverse("accounts:login")

    response = client.post(reverse("set_language"), {"language": "en", "next": login}, follow=True)

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Sign in" in html
    assert "综治中心信息平台" not in html


def test_anonymous_visitor_is_sent_to_login_from_the_workbench(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_workbench_greets_the_user_and_lists_roles_with_areas(client, leader):
    client.force_login(leader)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "李建国" in html
    assert "中心主任/领导" in html
    assert "测试旗" in html
    assert "当前没有待办事项" in html


def test_user_menu_signs_out_by_post_and_names_the_user(client, grid_worker):
    client.force_login(grid_worker)

    html = client.get(reverse("home")).content.decode()

    logout = reverse("accounts:logout")
    assert re.search(rf'<form method="post" action="{logout}">', html)
    assert "退出" in html
    assert "王网格" in html
    assert "网格员" in html


def test_pages_send_the_csrf_token_with_htmx_requests(client, leader):
    client.force_login(leader)

    html = client.get(reverse("home")).content.decode()

    assert re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"[A-Za-z0-9]{64}\"\}'>", html)
    assert "vendor/htmx/htmx.min.js" in html


def test_user_without_roles_is_told_to_ask_an_administrator(client, db):
    from tests import factories as f

    client.force_login(f.user("nobody"))

    html = client.get(reverse("home")).content.decode()

    assert "您还没有被分配角色" in html


def test_missing_page_shows_the_chinese_404(client, leader):
    client.force_login(leader)

    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在或无权访问" in html
    assert "返回工作台" in html


def test_404_for_visitors_uses_the_plain_layout(client, db):
    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在或无权访问" in html
    assert "navbar-vertical" not in html


def test_500_page_renders_without_request_context():
    response = server_error(RequestFactory().get("/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出现错误" in html
    assert "vendor/tabler/css/tabler.min.css" in html


def test_layout_has_no_inline_styles_or_scripts(client, leader):
    client.force_login(leader)

    html = client.get(reverse("home")).content.decode()

    # A strict Content-Security-Policy (no 'unsafe-inline') must be possible.
    assert "style" not in html.split("</head>")[0].replace("stylesheet", "")
    assert "style=" not in html
    assert "{#" not in html  # a template comment spilled over two lines
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []


def test_workbench_shows_domain_panels_that_have_something_for_the_user(
    client, leader, monkeypatch
):
    from fengqiao.core import workbench

    panels = [
        workbench.Panel("partials/empty_state.html", lambda request: {"unused": 1}),
        workbench.Panel("partials/breadcrumbs.html", lambda request: None),
    ]
    monkeypatch.setattr(workbench, "PANELS", panels)
    client.force_login(leader)

    response = client.get(reverse("home"))

    names = [t.name for t in response.templates]
    assert "partials/empty_state.html" in names
    assert "partials/breadcrumbs.html" not in names
    assert "当前没有待办事项" not in response.content.decode()
