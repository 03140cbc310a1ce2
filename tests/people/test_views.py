"""People pages: scoped search, masked everywhere, every detail view and every unmask
on record, the same 404 for people outside one's areas as for missing ones."""

import pytest
from django.urls import reverse

from fengqiao.audit.models import AuditRecord
from fengqiao.people import actions
from fengqiao.people.models import Person
from tests.html import comparable

from .conftest import ID_A, ID_B

pytestmark = pytest.mark.django_db
SEARCH = reverse("people:search")


def html_of(response) -> str:
    return response.content.decode()


def assert_nothing_sensitive(html: str) -> None:
    assert ID_A not in html
    assert "13812345678" not in html


def search(client, query, **headers):
    return client.post(SEARCH, {"q": query}, headers=headers)


@pytest.fixture
def li(tree, otto):
    """A resident of town B, outside Gina's and Leo's reach."""
    return actions.create_person(
        actor=otto, area=tree["town_b_grid1"], name="李娜", id_number=ID_B, phone="13912345678"
    )


@pytest.mark.parametrize("query", ["张", "张伟", ID_A[-4:], ID_A, "13812345678", "138 1234 5678"])
def test_search_finds_by_name_id_tail_full_id_or_phone_and_masks(client, gina, zhang, query):
    client.force_login(gina)
    html = html_of(search(client, query))
    assert "张伟" in html
    assert "1506**********" + ID_A[-4:] in html
    assert "138****5678" in html
    assert_nothing_sensitive(html)


def test_name_search_also_works_as_a_link(client, gina, zhang):
    client.force_login(gina)
    assert "张伟" in html_of(client.get(SEARCH, {"q": "张"}))


def test_search_by_full_id_number_shows_the_condition_masked(client, gina, zhang):
    client.force_login(gina)
    html = html_of(search(client, ID_A))
    assert "查询条件" in html
    assert 'value=""' in html


def test_search_is_recorded_by_kind_without_the_value(client, gina, zhang):
    client.force_login(gina)
    search(client, ID_A)
    rec = AuditRecord.objects.get(action="person.search")
    assert rec.detail == {"by": "id_number"}


def test_search_stays_inside_the_users_areas(client, gina, zhang, li):
    client.force_login(gina)
    for query in ("李娜", ID_B, ID_B[-4:], "13912345678"):
        html = html_of(search(client, query, **{"HX-Request": "true"}))
        assert "李娜" not in html
        assert "没有找到符合条件的人员" in html


def test_search_shows_an_empty_state_before_a_query(client, gina):
    client.force_login(gina)
    assert "输入条件查询人员" in html_of(client.get(SEARCH))


def test_search_pages(client, tree, gina):
    for i in range(25):
        actions.create_person(actor=gina, area=tree["town_a_grid1"], name=f"王{i:02d}")
    client.force_login(gina)
    first = html_of(client.get(SEARCH, {"q": "王"}))
    second = html_of(client.get(SEARCH, {"q": "王", "page": 2}))
    assert "下一页" in first
    assert first.count("/people/") > second.count("/people/")
    assert "王24" in second


def test_search_answers_htmx_with_the_results_fragment(client, gina, zhang):
    client.force_login(gina)
    html = html_of(search(client, "张", **{"HX-Request": "true"}))
    assert "张伟" in html
    assert "<html" not in html


def test_search_is_refused_to_users_without_person_view(client, tree):
    from tests import factories as f

    handler = f.user("uma", "unit_handler", tree["town_a"])
    client.force_login(handler)
    assert client.get(SEARCH).status_code == 404


def test_detail_is_masked_and_every_view_is_recorded(client, gina, zhang):
    client.force_login(gina)
    for _ in range(2):
        response = client.get(reverse("people:detail", args=[zhang.pk]))
        assert response.status_code == 200
        assert_nothing_sensitive(html_of(response))
    views = AuditRecord.objects.filter(action="person.view", object_id=str(zhang.pk))
    assert views.count() == 2
    assert views.first().actor_id == gina.pk


def test_person_outside_the_users_areas_is_the_same_404_as_a_missing_one(client, gina, li):
    client.force_login(gina)
    outside = client.get(reverse("people:detail", args=[li.pk]))
    missing = client.get(reverse("people:detail", args=[li.pk + 1000]))
    assert outside.status_code == missing.status_code == 404
    assert comparable(outside) == comparable(missing)
    assert not AuditRecord.objects.filter(action="person.view").exists()
    for name in ("people:edit", "people:unmask"):
        assert client.post(reverse(name, args=[li.pk])).status_code == 404


def test_unmask_needs_the_permission(client, gina, zhang):
    client.force_login(gina)
    assert "查看完整号码" not in html_of(client.get(reverse("people:detail", args=[zhang.pk])))
    response = client.post(reverse("people:unmask", args=[zhang.pk]))
    assert response.status_code == 404
    assert not AuditRecord.objects.filter(action="person.unmask").exists()
    assert AuditRecord.objects.filter(action="access.denied", detail__perm="person.unmask").exists()


def test_unmask_shows_the_full_values_and_is_recorded(client, leo, zhang):
    client.force_login(leo)
    assert "查看完整号码" in html_of(client.get(reverse("people:detail", args=[zhang.pk])))
    response = client.post(
        reverse("people:unmask", args=[zhang.pk]), headers={"HX-Request": "true"}
    )
    html = html_of(response)
    assert ID_A in html
    assert "13812345678" in html
    assert "<html" not in html
    rec = AuditRecord.objects.get(action="person.unmask")
    assert (rec.actor_id, rec.object_id) == (leo.pk, str(zhang.pk))


def test_unmask_is_post_only(client, leo, zhang):
    client.force_login(leo)
    assert client.get(reverse("people:unmask", args=[zhang.pk])).status_code == 405


def test_create_page_registers_a_person(client, tree, gina):
    client.force_login(gina)
    response = client.post(
        reverse("people:create"),
        {
            "name": "赵敏",
            "sex": "male",
            "id_number": ID_A,
            "phone": "13812345678",
            "area": tree["town_a_grid1"].pk,
            "data_source": "intake",
        },
    )
    person = Person.objects.get(name="赵敏")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[person.pk])


def test_create_page_shows_chinese_field_errors_and_saves_nothing(client, tree, gina):
    client.force_login(gina)
    response = client.post(
        reverse("people:create"),
        {
            "name": "赵敏",
            "sex": "unknown",
            "id_number": ID_A[:-1] + "0",
            "phone": "12345",
            "area": tree["town_a_grid1"].pk,
            "data_source": "intake",
        },
    )
    html = html_of(response)
    assert response.status_code == 200
    assert "身份证号校验位不正确" in html
    assert "请填写有效的中国大陆手机号" in html
    assert not Person.objects.exists()


def test_duplicate_links_to_the_existing_person_when_visible(client, tree, gina, zhang):
    client.force_login(gina)
    data = {"name": "张伟二", "sex": "male", "id_number": ID_A, "data_source": "intake"}
    html = html_of(client.post(reverse("people:create"), {**data, "area": tree["town_a_grid1"].pk}))
    assert "已有登记" in html
    assert reverse("people:detail", args=[zhang.pk]) in html


def test_duplicate_does_not_link_when_the_existing_person_is_out_of_reach(
    client, tree, otto, zhang
):
    client.force_login(otto)
    data = {"name": "张伟二", "sex": "male", "id_number": ID_A, "data_source": "intake"}
    html = html_of(client.post(reverse("people:create"), {**data, "area": tree["town_b_grid1"].pk}))
    assert "已有登记" in html
    assert reverse("people:detail", args=[zhang.pk]) not in html
    assert "张伟" not in html.replace("张伟二", "")


def test_create_and_edit_need_person_edit(client, mia, zhang):
    client.force_login(mia)
    assert client.get(reverse("people:create")).status_code == 404
    assert client.get(reverse("people:edit", args=[zhang.pk])).status_code == 404


def test_edit_page_never_shows_the_full_values_and_keeps_them_when_blank(client, tree, gina, zhang):
    client.force_login(gina)
    html = html_of(client.get(reverse("people:edit", args=[zhang.pk])))
    assert_nothing_sensitive(html)
    assert "1506**********" in html
    response = client.post(
        reverse("people:edit", args=[zhang.pk]),
        {
            "name": "张伟",
            "sex": "male",
            "id_number": "",
            "phone": "",
            "address": "新地址",
            "area": tree["town_a_grid1"].pk,
            "data_source": "intake",
        },
    )
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert (zhang.id_number, zhang.phone, zhang.address) == (ID_A, "13812345678", "新地址")
