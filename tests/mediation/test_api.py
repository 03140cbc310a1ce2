"""The mediation API: the same rules as the pages — the case's 404 for anything out of
reach, Chinese refusals with the missing elements listed, documents and the case file."""

import io
import zipfile

import docx
import pytest

from fengqiao.mediation.models import Mediation
from fengqiao.people.models import Person


@pytest.fixture
def apis(desk, api_as):
    w = desk.world
    return {
        "mediator": api_as(w.mediator),
        "outsider": api_as(w.other_grid_worker),
        "intake": api_as(w.intake),
    }


def assign(api, case, desk, **extra):
    body = {"mediator": desk.world.mediator.username, "committee": desk.committee.pk, **extra}
    return api.post(f"/cases/{case.pk}/mediation/assign", body)


def test_a_case_out_of_reach_reads_as_missing(desk, case, apis):
    outsider = apis["outsider"]
    assert outsider.get(f"/cases/{case.pk}/mediation").status_code == 404
    assert assign(outsider, case, desk).status_code == 404
    assert outsider.get("/mediation/agreements/999/docx").status_code == 404
    assert outsider.post("/revisits/999", {}).status_code in (404, 422)
    assert not Mediation.objects.filter(case=case).exists()


def test_the_relative_is_refused_through_the_api_too(desk, case, apis):
    from fengqiao.mediation import actions

    zhang = Person.objects.get(name="张三")
    actions.declare_relation(
        actor=None, mediator=desk.cousin_mediator, person=zhang, relation="表兄"
    )
    r = apis["mediator"].post(
        f"/cases/{case.pk}/mediation/assign", {"mediator": desk.cousin_mediator.username}
    )
    assert r.status_code == 400
    assert r.json()["code"] == "conflict_of_interest"
    assert "须回避" in r.json()["message"]
    assert r.json()["fields"] == {"mediator": [r.json()["message"]]}


def test_malformed_input_is_refused_with_field_messages(desk, case, apis):
    r = apis["mediator"].post(f"/cases/{case.pk}/mediation/sessions", {"place_kind": "castle"})
    assert r.status_code == 422
    assert set(r.json()["fields"]) >= {"scheduled_at", "place_kind", "place"}


def test_the_agreement_docx_and_the_case_file_through_the_api(desk, case, apis):
    api = apis["mediator"]
    assert assign(api, case, desk).status_code == 200
    session = api.post(
        f"/cases/{case.pk}/mediation/sessions",
        {"scheduled_at": "2026-03-03T10:00:00+08:00", "place_kind": "room", "place": "调解室"},
    ).json()["mediation"]["sessions"][0]
    api.post(
        f"/mediation/sessions/{session['id']}/record",
        {"is_simple": True, "matter": "漏水", "outcome": "和解"},
    )
    body = api.post(
        f"/cases/{case.pk}/mediation/agreement",
        {
            "facts": "漏水",
            "disputed_matters": "赔偿",
            "responsibilities": "李四负责",
            "clauses": [{"content": "赔偿1500元", "performance_way": "转账"}],
        },
    ).json()
    agreement = body["mediation"]["agreements"][0]
    assert agreement["parties"][0]["id_number"].startswith("1101**")
    assert "调解员签名" in agreement["missing"]
    document = docx.Document(
        io.BytesIO(api.get(f"/mediation/agreements/{agreement['id']}/docx").content)
    )
    assert "人民调解协议书" in "\n".join(p.text for p in document.paragraphs)
    listing = api.get(f"/cases/{case.pk}/case-file").json()["documents"]
    assert {d["key"]: d["count"] for d in listing}["records"] == 1
    archive = zipfile.ZipFile(io.BytesIO(api.get(f"/cases/{case.pk}/case-file.zip").content))
    assert "00_卷宗目录.docx" in archive.namelist()


def test_a_mediator_declares_a_relation_and_is_then_refused(desk, case, api_as):
    cousin = api_as(desk.cousin_mediator)
    zhang = Person.objects.get(name="张三")
    r = cousin.post(
        f"/mediators/{desk.cousin_mediator.username}/relations",
        {"person": zhang.pk, "relation": "表兄"},
    )
    assert r.status_code == 200
    # another mediator may not declare ties for him
    r = api_as(desk.street_mediator).post(
        f"/mediators/{desk.cousin_mediator.username}/relations",
        {"person": zhang.pk, "relation": "仇人"},
    )
    assert r.status_code == 403
    r = api_as(desk.world.mediator).post(
        f"/cases/{case.pk}/mediation/assign", {"mediator": desk.cousin_mediator.username}
    )
    assert r.json()["code"] == "conflict_of_interest"
