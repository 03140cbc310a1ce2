"""The mediator's day in the browser: the workbench shows today's revisit and the case
to mediate; the mediator opens the case's mediation, writes the session record, drafts
the agreement with two clauses, is told what is still missing, takes the signatures,
makes it effective and opens the print view — screenshots at every step."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from fengqiao.cases.models import Case
from fengqiao.mediation import actions
from tests.browser.conftest import log_in, screenshot
from tests.cases.conftest import world  # noqa: F401 — the shared fixture
from tests.mediation.conftest import desk, dispute_at_mediator  # noqa: F401
from tests.mediation.test_revisits import completed_with_agreement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def day(desk):  # noqa: F811
    w = desk.world
    # yesterday's mediated case, completed: its next-day revisit is due today
    with time_machine.travel(timezone.now() - dt.timedelta(days=1), tick=False):
        earlier = dispute_at_mediator(w)
        completed_with_agreement(
            desk, earlier, deadline=timezone.localdate() + dt.timedelta(days=20)
        )
    # today's dispute, assigned to the mediator with the committee and a field session
    case = dispute_at_mediator(w)
    actions.assign_mediation(
        actor=w.mediator, case=case, mediator=w.mediator, committee=desk.committee
    )
    actions.schedule_session(
        actor=w.mediator,
        case=case,
        scheduled_at=timezone.now(),
        place_kind="field",
        place="张三家地头",
    )
    return earlier, case


def test_the_mediators_day(page, day):
    earlier, case = day
    log_in(page, "mediator_wu")
    panel = page.get_by_test_id("revisit-panel")
    expect(panel).to_contain_text(earlier.number)
    expect(panel).to_contain_text("次日回访")
    screenshot(page, "mediator-1-workbench")

    # the case from the to-do list, then its mediation
    page.locator("a.fq-case-row", has_text=case.number).first.click()
    page.get_by_test_id("mediation-link").click()
    expect(page.get_by_test_id("sessions")).to_contain_text("张三家地头")
    screenshot(page, "mediator-2-mediation")

    # the session record
    page.get_by_role("link", name="记录笔录").click()
    form = page.get_by_test_id("record-form")
    form.get_by_role("textbox", name="调解事项").fill("楼上漏水维修费用")
    form.get_by_label("已告知当事人权利义务").check()
    form.get_by_role("textbox", name="申请人陈述", exact=True).fill(
        "漏水三个月，要求赔偿维修费1500元。"
    )
    form.get_by_role("textbox", name="被申请人陈述").fill("同意维修，赔偿可以商量。")
    form.get_by_role("textbox", name="调查核实情况").fill("现场查看，402室天花板水渍约2平方米。")
    form.get_by_role("textbox", name="风险告知").fill("告知调解不成可向法院起诉。")
    form.get_by_role("textbox", name="调解结果").fill("双方达成协议。")
    screenshot(page, "mediator-3-record")
    form.get_by_role("button", name="保存笔录").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存调解笔录")

    # the agreement with two clauses
    page.get_by_role("link", name="起草或修改协议").click()
    form = page.get_by_test_id("agreement-form")
    form.get_by_role("textbox", name="纠纷主要事实").fill("502室卫生间漏水致402室天花板受损。")
    form.get_by_role("textbox", name="争议事项").fill("维修责任与赔偿金额。")
    form.get_by_role("textbox", name="各方责任").fill("李四承担主要责任。")
    form.get_by_role("textbox", name="第1条 协议内容").fill("李四于十日内修复卫生间防水。")
    form.get_by_role("textbox", name="第1条 履行方式").fill("自行请人维修")
    form.get_by_role("textbox", name="第2条 协议内容").fill("李四赔偿张三维修费1500元。")
    form.get_by_role("textbox", name="第2条 履行方式").fill("银行转账")
    screenshot(page, "mediator-4-agreement-form")
    form.get_by_role("button", name="保存协议草稿").click()
    agreement = page.get_by_test_id("agreement-1")
    expect(agreement.get_by_test_id("missing")).to_contain_text("当事人张三签名")

    # effective too early: refused, naming what is missing
    agreement.get_by_role("button", name="确认协议生效").click()
    expect(page.locator(".alert-danger").first).to_contain_text("协议尚不能生效，缺少")
    screenshot(page, "mediator-5-refused")
    for name in ("张三签名", "李四签名", "调解员签名", "调委会盖章"):
        page.get_by_test_id("agreement-1").get_by_role("button", name=name).click()
        expect(page.locator(".alert-success").first).to_contain_text("已登记签署")
    page.get_by_test_id("agreement-1").get_by_role("button", name="确认协议生效").click()
    expect(page.locator(".alert-success").first).to_contain_text("调解协议已生效")
    # revisits are booked when the case is completed, not yet
    expect(page.get_by_test_id("revisits")).to_contain_text("办结后自动安排回访")
    screenshot(page, "mediator-6-effective")

    # the print view: one copy per party and the archive copy
    href = page.get_by_test_id("agreement-1").get_by_role("link", name="打印").get_attribute("href")
    page.goto(href)
    expect(page.get_by_test_id("copy")).to_have_count(3)
    expect(page.get_by_test_id("copy").first).to_contain_text("李四赔偿张三维修费1500元")
    screenshot(page, "mediator-7-print")
    case.refresh_from_db()
    assert Case.objects.get(pk=case.pk).timeline.filter(action="agr_effective").exists()


def test_the_mediator_records_todays_revisit_and_the_resident_rates(page, day):
    earlier, _case = day
    log_in(page, "mediator_wu")
    page.get_by_test_id("revisit-panel").get_by_test_id("revisit-row").first.click()
    form = page.get_by_test_id("revisit-form")
    form.get_by_role("textbox", name="回访对象").fill("张三")
    form.get_by_label("满意", exact=True).check()
    screenshot(page, "mediator-8-revisit")
    form.get_by_role("button", name="登记回访").click()
    expect(page.locator(".alert-success").first).to_contain_text("已登记回访")
    expect(page.get_by_test_id("revisits")).to_contain_text("已回访")

    page.goto("/track/")
    page.get_by_role("textbox", name="查询码").fill(earlier.tracking_code)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("track-result")).to_contain_text("办理中")
    expect(page.get_by_test_id("track-result")).not_to_contain_text("张三")
    screenshot(page, "resident-track")
