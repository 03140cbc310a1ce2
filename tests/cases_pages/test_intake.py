"""Intake pages: the staff window's form and the grid worker's phone form register cases
through ``register_case``; refused input is shown in Chinese and saves nothing; the
duplicate check shows prior cases before saving."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fengqiao.cases.models import Case, CaseLink, Category, LinkKind
from fengqiao.people.models import Person
from tests.cases.builders import party, register

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def valid_id(body: str) -> str:
    from stdnum.cn import ric

    return body + ric.calc_check_digit(body + "0")


def form_data(world, **overrides) -> dict:
    category = Category.objects.get(code="D17")
    data = {
        "kind": "dispute",
        "channel": "walk_in",
        "category": category.pk,
        "subcategory": "",
        "title": "草场边界纠纷",
        "narrative": "两户牧民因草场边界发生争执，要求调解。",
        "area": world.grid1.pk,
        "building": "",
        "household": "",
        "latitude": "",
        "longitude": "",
        "occurred_at": "",
        "people_count": "2",
        "amount": "",
        "party-TOTAL_FORMS": "1",
        "party-INITIAL_FORMS": "0",
        "party-MIN_NUM_FORMS": "0",
        "party-MAX_NUM_FORMS": "20",
        "party-0-role": "applicant",
        "party-0-person": "",
        "party-0-name": "巴特尔",
        "party-0-id_number": valid_id("15260219900307123"),
        "party-0-phone": "13812345678",
        "party-0-sex": "unknown",
        "party-0-representative_name": "",
    }
    data.update(overrides)
    return data


def test_staff_form_shows_the_fields_in_chinese(signed_in, world):
    response = signed_in(world.intake).get(reverse("cases:create"))

    assert response.status_code == 200
    page = response.content.decode()
    for label in ("事项类型", "来源渠道", "类别", "事项描述", "所在区域", "当事人", "检查重复"):
        assert label in page


def test_staff_form_registers_a_case_with_a_party(signed_in, world):
    # Given the street's intake officer at the window
    client = signed_in(world.intake)

    # When the form is posted
    response = client.post(reverse("cases:create"), form_data(world))

    # Then the case is registered with its party, and the page goes to the case
    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[case.pk])
    assert case.title == "草场边界纠纷"
    assert case.area == world.grid1
    assert case.registered_by == world.intake
    assert [p.person.name for p in case.parties.all()] == ["巴特尔"]


def test_a_picked_subcategory_becomes_the_category(signed_in, world):
    parent = Category.objects.get(code="D05")
    child = parent.children.get(name="草牧场边界")
    data = form_data(world, category=parent.pk, subcategory=child.pk)

    signed_in(world.intake).post(reverse("cases:create"), data)

    assert Case.objects.get().category == child


def test_the_subcategory_select_lists_the_parents_children(signed_in, world):
    parent = Category.objects.get(code="D05")

    response = signed_in(world.intake).get(reverse("cases:subcategories"), {"category": parent.pk})

    assert "草牧场边界" in response.content.decode()
    assert "牛羊越界" in response.content.decode()


def test_an_existing_person_can_be_picked_as_party(signed_in, world):
    prior = register(world.intake, world.grid1, parties=[party(name="乌云", phone="13900001111")])
    person = prior.parties.get().person
    data = form_data(
        world,
        **{"party-0-person": person.pk, "party-0-name": "", "party-0-id_number": ""},
        **{"party-0-phone": "", "similar_checked": "1"},
    )

    signed_in(world.intake).post(reverse("cases:create"), data)

    case = Case.objects.exclude(pk=prior.pk).get()
    assert case.parties.get().person == person
    assert Person.objects.count() == 1


def test_the_person_search_shows_masked_numbers(signed_in, world):
    register(world.intake, world.grid1, parties=[party(name="乌云", phone="13900001111")])

    response = signed_in(world.intake).post(reverse("cases:person-search"), {"party-0-q": "乌云"})

    page = response.content.decode()
    assert "乌云" in page
    assert "139****1111" in page
    assert "13900001111" not in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "这个字段是必填项。"),
        ({"party-0-id_number": "152602199003071230"}, "身份证号校验位不正确"),
        ({"party-0-phone": "12345"}, "请填写有效的中国大陆手机号"),
        ({"latitude": "39.5"}, "经纬度须同时填写。"),
        ({"occurred_at": "2099-01-01T08:00"}, "发生时间不能晚于现在。"),
        ({"area": "999999"}, "选择一个有效的选项"),
    ],
)
def test_refused_input_is_shown_in_chinese_and_saves_nothing(signed_in, world, overrides, message):
    response = signed_in(world.intake).post(reverse("cases:create"), form_data(world, **overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Case.objects.count() == 0
    assert Person.objects.count() == 0


def test_a_file_of_the_wrong_type_is_refused_and_nothing_saved(signed_in, world):
    upload = SimpleUploadedFile("notes.exe", b"MZ\x90\x00" * 10)
    data = form_data(world, attachments=upload)

    response = signed_in(world.intake).post(reverse("cases:create"), data)

    assert "类型不支持" in response.content.decode()
    assert Case.objects.count() == 0


def test_an_area_outside_the_users_reach_is_refused(signed_in, world):
    # The grid 2 worker may register only in grid 2
    response = signed_in(world.other_grid_worker).post(
        reverse("cases:create"), form_data(world, area=world.grid1.pk)
    )

    assert "选择一个有效的选项" in response.content.decode()
    assert Case.objects.count() == 0


def test_an_outsider_gets_404_for_the_intake_forms(signed_in, world):
    client = signed_in(world.police_handler)

    assert client.get(reverse("cases:create")).status_code == 404
    assert client.get(reverse("cases:report")).status_code == 404


def test_the_place_picker_offers_the_chosen_areas_children(signed_in, world):
    response = signed_in(world.intake).get(reverse("cases:place"), {"area": world.community.pk})

    page = response.content.decode()
    assert "工业社区第1网格" in page
    assert "工业社区第2网格" in page


def test_the_place_picker_offers_buildings_in_a_grid(signed_in, world):
    response = signed_in(world.intake).get(reverse("cases:place"), {"area": world.grid1.pk})

    assert "3号楼" in response.content.decode()


# --- Duplicate and repeat check ---------------------------------------------------------


def test_duplicate_check_finds_a_prior_case_by_phone(signed_in, world):
    prior = register(world.intake, world.grid1, parties=[party(name="巴特尔", phone="13812345678")])

    response = signed_in(world.intake).post(reverse("cases:similar"), form_data(world))

    page = response.content.decode()
    assert prior.number in page
    assert "当事人电话相同" in page


def test_duplicate_check_flags_a_repeat_dispute_between_the_same_parties(signed_in, world):
    a, b = valid_id("15260219900307123"), valid_id("15260219900307124")
    prior = register(
        world.intake,
        world.grid1,
        parties=[
            party(name="巴特尔", id_number=a),
            party("respondent", name="其其格", id_number=b),
        ],
    )
    data = form_data(
        world,
        **{
            "party-TOTAL_FORMS": "2",
            "party-1-role": "respondent",
            "party-1-person": "",
            "party-1-name": "其其格",
            "party-1-id_number": b,
            "party-1-phone": "",
            "party-1-sex": "unknown",
            "party-1-representative_name": "",
        },
    )

    response = signed_in(world.intake).post(reverse("cases:similar"), data)

    page = response.content.decode()
    assert prior.number in page
    assert "重复纠纷" in page


def test_submitting_with_a_match_stops_once_and_shows_it_before_saving(signed_in, world):
    prior = register(world.intake, world.grid1, parties=[party(name="巴特尔", phone="13812345678")])
    client = signed_in(world.intake)

    # When the form is posted without having looked at the check
    response = client.post(reverse("cases:create"), form_data(world))

    # Then nothing is saved and the match is shown
    assert response.status_code == 200
    assert Case.objects.count() == 1
    page = response.content.decode()
    assert "发现可能重复或相关的事项，尚未保存。" in page
    assert prior.number in page

    # When the officer links it as a duplicate and submits again
    data = form_data(world, similar_checked="1", **{f"link-{prior.pk}": LinkKind.DUPLICATE})
    response = client.post(reverse("cases:create"), data)

    # Then the new case is saved, linked to the prior one
    new = Case.objects.exclude(pk=prior.pk).get()
    assert response.status_code == 302
    link = CaseLink.objects.get(case=new)
    assert (link.other, link.kind) == (prior, LinkKind.DUPLICATE)


def test_the_duplicate_check_never_shows_cases_outside_reach(signed_in, world):
    # A case in grid 2 shares the phone, but the grid 1 worker cannot see it
    register(world.intake, world.grid2, parties=[party(name="巴特尔", phone="13812345678")])

    response = signed_in(world.grid_worker).post(
        reverse("cases:similar"), form_data(world, channel="grid_patrol")
    )

    assert "未发现重复或相关事项" in response.content.decode()


# --- The phone form ---------------------------------------------------------------------


def test_phone_form_takes_a_camera_photo_and_the_location(signed_in, world):
    response = signed_in(world.grid_worker).get(reverse("cases:report"))

    page = response.content.decode()
    assert 'accept="image/*"' in page
    assert 'capture="environment"' in page
    assert "使用我的位置" in page
    # The grid worker's only grid is chosen already
    assert f'<option value="{world.grid1.pk}" selected>' in page


def test_phone_form_registers_a_grid_patrol_case_with_a_photo(signed_in, world):
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    data = form_data(
        world,
        channel="grid_patrol",
        kind="hazard",
        latitude="39.608000",
        longitude="109.781000",
        attachments=photo,
        **{"party-0-name": "", "party-0-id_number": "", "party-0-phone": ""},
    )

    response = signed_in(world.grid_worker).post(reverse("cases:report"), data)

    case = Case.objects.get()
    assert response.status_code == 302
    assert case.channel == "grid_patrol"
    assert str(case.latitude) == "39.608000"
    attachment = case.attachments.get()
    assert attachment.name == "现场.png"
    assert attachment.content_type == "image/png"
    assert case.parties.count() == 0


def test_a_registered_photo_is_served_only_to_those_who_see_the_case(signed_in, world, client):
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    case = register(world.grid_worker, world.grid1, attachments=[photo])
    attachment = case.attachments.get()
    url = reverse("cases:attachment", args=[case.pk, attachment.pk])

    response = signed_in(world.grid_worker).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"

    client.logout()
    assert signed_in(world.other_grid_worker).get(url).status_code == 404


def test_duplicate_check_says_when_it_shows_only_the_most_relevant(signed_in, world, monkeypatch):
    from fengqiao.cases import queries, views

    monkeypatch.setattr(queries, "SIMILAR_LIMIT", 2)
    monkeypatch.setattr(views, "SIMILAR_LIMIT", 2)
    for _ in range(3):
        register(world.intake, world.grid1, parties=[party(name="巴特尔", phone="13812345678")])

    response = signed_in(world.intake).post(reverse("cases:similar"), form_data(world))

    page = response.content.decode()
    assert "发现 2 件以上可能重复或相关的事项" in page
    assert page.count('data-testid="similar-cases"') == 1
    assert page.count("list-group-item") == 2
