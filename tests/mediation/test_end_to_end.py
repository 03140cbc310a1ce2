"""A dispute walked end to end, through the pages and the API: intake → mediation with
two sessions → a written agreement with two clauses → effective only after every
signature → completion → verification → the next-day revisit → the clause-deadline
revisit finds clause 2 unperformed → reopen → a second agreement → revisit → closed.
Every step is on the timeline and in the audit log."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from fengqiao.audit.models import AuditRecord
from fengqiao.cases.models import Case, TimelineEvent
from fengqiao.mediation.models import Agreement, Revisit, RevisitStatus
from tests.factories import PASSWORD

from .conftest import register_body

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def page_client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json() if response["Content-Type"].startswith("application/json") else response


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.mark.django_db
def test_a_dispute_walks_the_whole_loop_through_pages_and_api(desk, api_as):
    w = desk.world
    intake, mediator, _director = api_as(w.intake), api_as(w.mediator), api_as(w.director)
    mediator_page = page_client(w.mediator)

    with time_machine.travel(START, tick=False) as clock:
        # given a dispute registered through the API and dispatched to the mediator
        body = register_body(
            parties=[
                {
                    "role": "applicant",
                    "name": "张三",
                    "phone": "13812345678",
                    "address": "阳光小区3号楼402室",
                },
                {
                    "role": "respondent",
                    "name": "李四",
                    "id_number": "11010519491231002X",
                    "address": "阳光小区3号楼502室",
                },
            ]
        )
        cid = ok(intake.post("/cases", body), 201)["id"]
        ok(intake.act(cid, "accept"))
        ok(intake.act(cid, "assess", {"grade": "major", "risk": "blue"}))
        ok(intake.act(cid, "dispatch", {"handler": w.mediator.username}))
        ok(mediator.act(cid, "sign_for"))
        ok(mediator.act(cid, "start_handling"))
        case = Case.objects.get(pk=cid)

        # mediation: the mediator assigns themself with the committee (page)
        r = mediator_page.post(
            f"/mediation/cases/{cid}/assign/",
            {"mediator": w.mediator.pk, "committee": desk.committee.pk},
            follow=True,
        )
        assert "已指派调解员。" in messages_of(r)

        # two sessions: a field mediation (page) and one in the mediation room (API)
        r = mediator_page.post(
            f"/mediation/cases/{cid}/sessions/",
            {"scheduled_at": "2026-03-03T10:00", "place_kind": "field", "place": "张三家地头"},
            follow=True,
        )
        assert "已安排调解。" in messages_of(r)
        med = ok(
            mediator.post(
                f"/cases/{cid}/mediation/sessions",
                {
                    "scheduled_at": "2026-03-05T15:00:00+08:00",
                    "place_kind": "room",
                    "place": "社区调解室",
                },
            )
        )
        first, second = med["mediation"]["sessions"]
        parties = {p.person.name: p.pk for p in case.parties.select_related("person")}
        r = mediator_page.post(
            f"/mediation/sessions/{first['id']}/record/",
            {
                f"present_{parties['张三']}": "on",
                f"present_{parties['李四']}": "on",
                "matter": "漏水维修费用",
                "rights_notice_given": "on",
                "applicant_statement": "楼上漏水三个月，要求赔偿维修费。",
                "respondent_statement": "同意维修，但认为金额过高。",
                "verification": "现场查看，402室天花板有水渍约2平方米。",
                "risk_notice": "告知调解不成可诉讼。",
                "outcome": "双方同意再议金额。",
            },
            follow=True,
        )
        assert "已保存调解笔录。" in messages_of(r)
        ok(
            mediator.post(
                f"/mediation/sessions/{second['id']}/record",
                {
                    "attendance": {str(parties["张三"]): True, str(parties["李四"]): True},
                    "matter": "漏水维修费用",
                    "rights_notice_given": True,
                    "applicant_statement": "接受维修并赔偿1500元。",
                    "respondent_statement": "同意。",
                    "verification": "维修报价单2000元。",
                    "risk_notice": "已告知协议效力。",
                    "outcome": "达成协议。",
                },
            )
        )

        # a written agreement with two clauses (API)
        med = ok(
            mediator.post(
                f"/cases/{cid}/mediation/agreement",
                {
                    "facts": "502室卫生间漏水致402室天花板受损。",
                    "disputed_matters": "维修责任与赔偿金额。",
                    "responsibilities": "李四承担主要责任。",
                    "clauses": [
                        {
                            "content": "李四于十日内修复卫生间防水。",
                            "performance_way": "自行请人维修",
                            "deadline": "2026-03-20",
                        },
                        {
                            "content": "李四赔偿张三维修费1500元。",
                            "performance_way": "银行转账",
                            "deadline": "2026-04-01",
                        },
                    ],
                },
            )
        )
        agreement = med["mediation"]["agreements"][0]
        aid = agreement["id"]

        # the completeness check refuses while signatures are missing, naming them
        r = mediator.post(f"/mediation/agreements/{aid}/effective")
        assert r.status_code == 409
        missing = r.json()["fields"]["missing"]
        assert "当事人张三签名（盖章或按指印）" in missing
        assert "当事人李四签名（盖章或按指印）" in missing
        assert "调解员签名" in missing
        assert "调解委员会印章" in missing
        # …and on the page, in Chinese
        r = mediator_page.post(f"/mediation/agreements/{aid}/effective/", follow=True)
        assert any("协议尚不能生效，缺少" in m and "张三" in m for m in messages_of(r))
        assert Agreement.objects.get(pk=aid).status == "draft"

        # signatures: 张三 on the page, the rest through the API
        mediator_page.post(
            f"/mediation/agreements/{aid}/sign/", {"signer": parties["张三"], "method": "signature"}
        )
        ok(
            mediator.post(
                f"/mediation/agreements/{aid}/sign",
                {"signer": str(parties["李四"]), "method": "fingerprint"},
            )
        )
        ok(mediator.post(f"/mediation/agreements/{aid}/sign", {"signer": "mediator"}))
        r = mediator.post(f"/mediation/agreements/{aid}/effective")
        assert r.json()["fields"]["missing"] == ["调解委员会印章"]
        ok(mediator.post(f"/mediation/agreements/{aid}/sign", {"signer": "seal", "method": "seal"}))
        r = mediator_page.post(f"/mediation/agreements/{aid}/effective/", follow=True)
        assert "调解协议已生效；办结后将安排回访。" in messages_of(r)
        assert not Revisit.objects.filter(case=case).exists()

        # completion books the mediator's revisits: the day after and each clause's deadline
        ok(mediator.act(cid, "complete", {"feedback": "达成调解协议，待履行。"}))
        revisits = list(Revisit.objects.filter(case=case).order_by("due_on", "pk"))
        assert [(r.kind, r.due_on.isoformat()) for r in revisits] == [
            ("next_day", "2026-03-03"),
            ("clause", "2026-03-20"),
            ("clause", "2026-04-01"),
        ]
        assert {r.owner for r in revisits} == {w.mediator}
        ok(intake.act(cid, "verify"))

        # the next-day revisit (page)
        clock.move_to(START + dt.timedelta(days=1))
        mediator_page = page_client(w.mediator)  # a new day, a new sign-in
        nd = revisits[0]
        clauses = list(Agreement.objects.get(pk=aid).clauses.all())
        r = mediator_page.post(
            f"/mediation/revisits/{nd.pk}/",
            {
                "method": "phone",
                "contacted": "张三",
                f"clause_{clauses[0].pk}": "not_due",
                f"clause_{clauses[1].pk}": "not_due",
                "satisfaction": "satisfied",
                "flare_up_risk": "none",
            },
            follow=True,
        )
        assert "已登记回访。" in messages_of(r)
        assert Case.objects.get(pk=cid).state == "revisiting"

        # closing now is refused: revisits are still open
        r = intake.act(cid, "close")
        assert r.status_code == 409
        assert r.json()["code"] == "revisits_open"
        assert "回访未完成" in r.json()["message"]

        # the clause-deadline revisit (API) finds clause 2 unperformed → reopened
        clock.move_to(START + dt.timedelta(days=30))
        due = ok(mediator.get("/revisits"))
        clause2 = revisits[2]
        assert clause2.pk in [x["id"] for x in due["due_today"] + due["overdue"]]
        med = ok(
            mediator.post(
                f"/revisits/{clause2.pk}",
                {
                    "method": "visit",
                    "contacted": "张三、李四",
                    "performance": {
                        str(clauses[0].pk): "performed",
                        str(clauses[1].pk): "not_performed",
                    },
                    "satisfaction": "dissatisfied",
                    "dissatisfaction_reason": "赔偿款未到账",
                    "within_duty": True,
                    "flare_up_risk": "low",
                },
            )
        )
        assert med["state"] == "in_progress"
        assert Revisit.objects.get(pk=clause2.pk).reopened
        assert Case.objects.get(pk=cid).current_handler == w.mediator

        # a second agreement: the payment in two instalments (API), all signatures
        ok(
            mediator.post(
                f"/cases/{cid}/mediation/sessions",
                {
                    "scheduled_at": "2026-04-02T10:00:00+08:00",
                    "place_kind": "van",
                    "place": "流动调解车",
                },
            )
        )
        third = ok(mediator.get(f"/cases/{cid}/mediation"))["mediation"]["sessions"][2]
        ok(
            mediator.post(
                f"/mediation/sessions/{third['id']}/record",
                {
                    "is_simple": True,
                    "matter": "赔偿款支付",
                    "outcome": "同意分两期支付。",
                },
            )
        )
        med = ok(
            mediator.post(
                f"/cases/{cid}/mediation/agreement",
                {
                    "facts": "前协议第2条未履行。",
                    "disputed_matters": "赔偿款支付方式。",
                    "responsibilities": "李四承担支付责任。",
                    "clauses": [
                        {
                            "content": "李四于三日内一次付清1500元。",
                            "performance_way": "现金当面支付",
                            "deadline": "2026-04-04",
                        }
                    ],
                },
            )
        )
        aid2 = med["mediation"]["agreements"][1]["id"]
        for signer in (str(parties["张三"]), str(parties["李四"]), "mediator", "seal"):
            ok(mediator.post(f"/mediation/agreements/{aid2}/sign", {"signer": signer}))
        med = ok(mediator.post(f"/mediation/agreements/{aid2}/effective"))
        assert [a["status"] for a in med["mediation"]["agreements"]] == ["superseded", "effective"]
        ok(mediator.act(cid, "complete", {"feedback": "已按新协议付清。"}))
        ok(intake.act(cid, "verify"))

        # the revisits of the second agreement; then the case closes
        clock.move_to(START + dt.timedelta(days=33))
        clause = Agreement.objects.get(pk=aid2).clauses.get()
        for revisit in Revisit.objects.filter(case=case, status=RevisitStatus.DUE):
            ok(
                mediator.post(
                    f"/revisits/{revisit.pk}",
                    {
                        "method": "phone",
                        "contacted": "张三",
                        "performance": {str(clause.pk): "performed"},
                        "satisfaction": "satisfied",
                    },
                )
            )
        assert not Revisit.objects.filter(case=case, status=RevisitStatus.DUE).exists()
        closed = ok(intake.act(cid, "close"))
        assert closed["state"] == "closed"

    # every step is on the timeline and in the audit log
    actions = list(TimelineEvent.objects.filter(case_id=cid).values_list("action", flat=True))
    for expected in (
        "register",
        "accept",
        "assess",
        "dispatch",
        "sign_for",
        "start_handling",
        "med_assign",
        "med_session",
        "med_record",
        "agr_draft",
        "agr_sign",
        "agr_effective",
        "complete",
        "verify",
        "revisit_done",
        "revisit",
        "reopen",
        "close",
    ):
        assert expected in actions, expected
    assert actions.count("med_session") == 3
    assert actions.count("agr_effective") == 2
    assert actions.count("complete") == 2
    assert actions.count("verify") == 2
    assert actions[-1] == "close"
    audited = set(
        AuditRecord.objects.filter(object_type="cases.case", object_id=str(cid)).values_list(
            "action", flat=True
        )
    )
    assert {f"case.{a}" for a in actions} <= audited
    assert (
        TimelineEvent.objects.filter(case_id=cid).count()
        == AuditRecord.objects.filter(
            object_type="cases.case", object_id=str(cid), action__startswith="case."
        ).count()
    )
