import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

from fengqiao.areas.models import Area

pytestmark = pytest.mark.django_db


def render(template: str, path: str = "/", **context) -> str:
    return render_to_string(template, context, request=RequestFactory().get(path))


def test_pagination_keeps_filters_and_marks_the_current_page():
    page = Paginator(list(range(95)), 10).page(5)

    html = render("partials/pagination.html", "/people/?q=%E7%8E%8B&page=5", page=page)

    assert "第 41–50 条，共 95 条" in html
    assert 'href="?q=%E7%8E%8B&amp;page=4" rel="prev"' in html
    assert 'href="?q=%E7%8E%8B&amp;page=6" rel="next"' in html
    current = '<li class="page-item active" aria-current="page"><span class="page-link">5</span>'
    assert current in html
    assert "…" in html


def test_pagination_is_hidden_for_a_single_page():
    page = Paginator([1, 2], 10).page(1)

    assert render("partials/pagination.html", page=page).strip() == ""


def test_empty_state_shows_message_and_action():
    html = render(
        "partials/empty_state.html",
        icon="users",
        message="暂无人员",
        hint="可以从户籍资料导入",
        action_url="/people/import/",
        action_label="导入",
    )

    assert 'class="ti ti-users fq-empty-icon"' in html
    assert "暂无人员" in html
    assert "可以从户籍资料导入" in html
    assert 'href="/people/import/"' in html


def test_masked_value_offers_unmasking_only_with_a_url():
    masked = render("partials/masked_value.html", value="150621********1234")
    unmaskable = render(
        "partials/masked_value.html", value="150621********1234", unmask_url="/people/1/unmask/"
    )

    assert "150621********1234" in masked
    assert "已脱敏" in masked
    assert "hx-post" not in masked
    assert 'hx-post="/people/1/unmask/"' in unmaskable


def test_detail_list_shows_verbose_names_and_display_values(tree):
    from django.template import Context, Template

    town = Area.objects.get(name="甲镇")
    template = Template('{% load ui %}{% detail_list area "name" "level" "households_planned" %}')

    html = template.render(Context({"area": town}))

    assert "名称" in html
    assert "甲镇" in html
    assert "苏木乡镇/街道" in html
    assert "规划户数" in html


def test_detail_list_shows_a_dash_for_empty_values():
    html = render("partials/detail_list.html", items=[("地址", ""), ("电话", None)])

    assert html.count("—") == 2


def test_breadcrumbs_are_hidden_when_they_would_only_repeat_the_title():
    assert render("partials/breadcrumbs.html", crumbs=[("区域", "")]).strip() == ""


def test_breadcrumbs_link_all_but_the_current_page():
    html = render("partials/breadcrumbs.html", crumbs=[("测试市", "/areas/1/"), ("甲镇", "")])

    assert '<a href="/areas/1/">测试市</a>' in html
    assert '<li class="breadcrumb-item active" aria-current="page">甲镇</li>' in html


def test_messages_show_as_dismissible_alerts_with_error_as_danger():
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message

    messages = [Message(constants.SUCCESS, "已保存。"), Message(constants.ERROR, "保存失败")]

    html = render_to_string("partials/messages.html", {"messages": messages})

    assert 'class="alert alert-success alert-dismissible"' in html
    assert 'class="alert alert-danger alert-dismissible"' in html
    assert "已保存。" in html
    assert "保存失败" in html


def test_revealed_value_is_marked_as_shown_and_recorded():
    html = render("partials/masked_value.html", value="150621199001011234", revealed=True)

    assert "150621199001011234" in html
    assert "已显示" in html
    assert "hx-post" not in html
