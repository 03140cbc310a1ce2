"""Registering and changing people: every field checked, clear Chinese messages,
nothing saved on error, one registration per ID number per city."""

import pytest
from django.http import Http404

from fengqiao.areas.models import Level
from fengqiao.audit.models import AuditRecord
from fengqiao.people import actions
from fengqiao.people.models import Person
from tests import factories as f

from .conftest import ID_A, ID_B, id_number

pytestmark = pytest.mark.django_db


def register(actor, area, **fields):
    values = {"name": "李娜", "id_number": ID_B, "phone": "13912345678", "sex": "female"}
    values.update(fields)
    return actions.create_person(actor=actor, area=area, **values)


def refused(actor, area, **fields) -> dict:
    before = (Person.objects.count(), AuditRecord.objects.count())
    with pytest.raises(actions.PersonInvalid) as e:
        register(actor, area, **fields)
    assert (Person.objects.count(), AuditRecord.objects.count()) == before
    return e.value.errors


def test_registration_fills_the_derived_fields_and_is_recorded(tree, gina):
    p = register(gina, tree["town_a_grid1"], id_number=ID_B.lower(), phone="+86 139-1234-5678")
    assert (p.id_number, p.phone) == (ID_B, "13912345678")
    assert p.area_path == tree["town_a_grid1"].path
    assert p.city_path == tree["city"].path
    assert p.id_tail == ID_B[-4:]
    rec = AuditRecord.objects.get(action="person.create")
    assert (rec.actor_id, rec.object_id) == (gina.pk, str(p.pk))
    assert ID_B not in str(rec.detail)


def test_landline_is_stored_with_its_area_code(tree, gina):
    assert register(gina, tree["town_a_grid1"], phone="0477 8123456").phone == "0477-8123456"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (ID_B[:-1], "身份证号应为 18 位"),
        (ID_B[:-1] + ("0" if ID_B[-1] != "0" else "1"), "身份证号校验位不正确"),
        (id_number("15062120081345002"), "出生日期无效"),
        (id_number("15062120990101002"), "出生日期无效"),
        (id_number("99999920080101002"), "行政区划代码"),
        ("1506212008031500A2", "前 17 位应为数字"),
    ],
)
def test_invalid_id_number_is_refused_in_chinese(tree, gina, number, message):
    errors = refused(gina, tree["town_a_grid1"], id_number=number)
    assert message in errors["id_number"][0]


def test_id_number_must_agree_with_the_sex(tree, gina):
    errors = refused(gina, tree["town_a_grid1"], sex="male")
    assert "性别不一致" in errors["id_number"][0]


@pytest.mark.parametrize("phone", ["12345", "1381234567", "8123456", "+1 650 253 0000", "电话"])
def test_invalid_phone_is_refused_in_chinese(tree, gina, phone):
    errors = refused(gina, tree["town_a_grid1"], phone=phone)
    assert errors["phone"][0].startswith(("请填写有效的中国大陆手机号", "电话号码格式不正确"))


def test_every_bad_field_is_reported_at_once(tree, gina):
    errors = refused(gina, tree["town_a_grid1"], name=" ", id_number="123", phone="123")
    assert set(errors) == {"name", "id_number", "phone"}
    assert errors["name"] == ["请填写姓名。"]


def test_duplicate_id_number_in_the_city_is_refused_with_the_existing_person(tree, gina, zhang):
    with pytest.raises(actions.PersonInvalid) as e:
        register(gina, tree["town_a_grid1"], id_number=ID_A, sex="male")
    assert "已有登记" in e.value.errors["id_number"][0]
    assert e.value.duplicate == zhang


def test_duplicate_seen_by_someone_who_may_not_see_the_existing_person(tree, otto, zhang):
    with pytest.raises(actions.PersonInvalid) as e:
        register(otto, tree["town_b_grid1"], id_number=ID_A, sex="male")
    assert "已有登记" in e.value.errors["id_number"][0]
    assert e.value.duplicate is None


def test_same_id_number_in_another_city_is_allowed(tree, zhang):
    other_city = f.area("另一市", Level.CITY)
    leader = f.user("root", "admin", other_city)
    p = register(leader, other_city, id_number=ID_A, sex="male")
    assert p.city_path == other_city.path != zhang.city_path


def test_registration_outside_the_actors_area_is_refused(tree, gina):
    with pytest.raises(Http404):
        register(gina, tree["town_b_grid1"])
    assert not Person.objects.exists()


def test_update_records_field_names_not_values(tree, gina, zhang):
    actions.update_person(actor=gina, person=zhang, phone="13987654321", address="一号院")
    zhang.refresh_from_db()
    assert zhang.phone == "13987654321"
    rec = AuditRecord.objects.get(action="person.update")
    assert rec.detail == {"fields": ["phone", "address"]}


def test_update_with_a_bad_phone_changes_nothing(tree, gina, zhang):
    with pytest.raises(actions.PersonInvalid):
        actions.update_person(actor=gina, person=zhang, phone="123", address="二号院")
    zhang.refresh_from_db()
    assert (zhang.phone, zhang.address) == ("13812345678", "")


def test_moving_a_person_updates_the_derived_paths(tree, ivy, zhang):
    moved = actions.update_person(actor=ivy, person=zhang, area=tree["town_a_grid2"])
    assert moved.area_path == tree["town_a_grid2"].path


def test_moving_a_person_needs_edit_rights_on_the_new_area(tree, gina, zhang):
    with pytest.raises(Http404):
        actions.update_person(actor=gina, person=zhang, area=tree["town_a_grid2"])
