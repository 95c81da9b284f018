"""Acceptance 5 in Chromium: rep3 asks for 20 brochures for a customer, supervisor2 approves, the
assistant issues, the manager checks (the assistant may not), the assistant registers the courier
sending; the stock and both registers show it. Screenshots at desktop and phone width."""

import pytest
from conftest import PHONE, browser_login, screenshot
from playwright.sync_api import expect
from sqlalchemy import select

from intranet.clock import month_of, today_local
from intranet.extensions import db
from intranet.models import SampleItem, SampleRequest


@pytest.mark.browser
def test_brochures_from_request_to_mailing(page, as_user, users):
    _flow(page, as_user)


def _status(pg):
    return pg.locator(".page-head h1 .status")


def _flow(page, as_user):
    brochure = db.session.scalar(select(SampleItem).where(SampleItem.code == "CY-RO-2026"))
    before = brochure.on_hand

    # rep3 asks for 20 brochures for one of their customers (a bad quantity first: message in place)
    browser_login(page, "rep3")
    page.goto("/samples/requests")
    page.click("#new-request")
    page.select_option("select[name=customer_id]", index=1)
    page.fill("textarea[name=purpose]", "拜访客户采购部，介绍 RO 设备")
    page.select_option("select[name='lines-0-item_id']", str(brochure.id))
    page.fill("input[name='lines-0-quantity']", "-5")
    page.click("#save-request")
    expect(page.locator("#request-form .error")).to_contain_text("数量必须是正整数")
    page.fill("input[name='lines-0-quantity']", "20")
    page.click("#save-request")
    expect(_status(page)).to_have_text("草稿")
    page.click("#submit-request")
    expect(_status(page)).to_have_text("审批中")
    number = page.locator(".page-head h1").inner_text().split()[1]
    doc = db.session.scalar(select(SampleRequest).where(SampleRequest.number == number))
    detail = f"/samples/requests/{doc.id}"

    # supervisor2 approves from the request's own page
    boss = as_user("supervisor2")
    boss.goto(detail)
    boss.locator(".decision-form textarea[name=comment]").fill("同意")
    boss.locator(".decision-form button[value=approve]").click()
    expect(_status(boss)).to_have_text("待发放")

    # the assistant issues all 20; the issue waits for a second person
    assistant = as_user("assistant")
    assistant.goto(detail)
    assistant.click("#issue-request")
    assistant.fill(f"input[name=line_{doc.lines[0].id}]", "20")
    assistant.click("#save-quantities")
    expect(assistant.locator("#four-eyes")).to_be_visible()
    expect(assistant.locator("#check-doc")).to_have_count(0)
    issue_url = assistant.url

    # the manager checks it: now the stock moves
    manager = as_user("manager")
    manager.goto("/manager/")
    expect(manager.locator("#card-samples_checks")).to_contain_text("FF-")
    manager.goto(issue_url)
    manager.click("#check-doc")
    expect(_status(manager)).to_have_text("已复核")

    # the assistant registers the courier sending (a 500-character tracking number first)
    assistant.goto(detail)
    expect(_status(assistant)).to_have_text("已发放")
    assistant.click("#mail-request")
    assistant.fill("input[name=carrier]", "顺丰速运")
    assistant.fill("input[name=tracking_no]", "9" * 500)
    assistant.fill("input[name=recipient]", "采购部 李工")
    assistant.fill("input[name=address]", "广州市天河区黄埔大道 100 号")
    assistant.fill("input[name=cost]", "18")
    assistant.click("#save-mailing")
    expect(assistant.locator("#mailing-form .error")).to_contain_text("运单号应为")
    assistant.fill("input[name=tracking_no]", "SF1409990001234")
    assistant.click("#save-mailing")
    expect(assistant.locator("#tracking-no")).to_have_text("SF1409990001234")
    screenshot(assistant, "samples-mailing")

    # the stock and both registers show it
    assistant.goto("/samples/?q=CY-RO-2026")
    expect(assistant.locator("[data-stock='CY-RO-2026']")).to_contain_text(str(before - 20))
    month = month_of(today_local())
    assistant.goto(f"/samples/register/issues?month={month}")
    row = assistant.locator("#issue-register tr", has_text=number)
    expect(row).to_contain_text("20")
    expect(row).to_contain_text("赵敏 / 张伟")
    screenshot(assistant, "samples-issue-register")
    assistant.goto(f"/samples/register/mailings?month={month}")
    expect(assistant.locator("#mailing-register")).to_contain_text("SF1409990001234")
    screenshot(assistant, "samples-mailing-register")

    phone = as_user("rep3", viewport=PHONE)
    phone.goto(detail)
    expect(_status(phone)).to_have_text("已发放")
    screenshot(phone, "samples-request-phone")
    phone.goto("/rep/")
    screenshot(phone, "samples-rep-desk-phone")
    assistant.goto("/assistant/")
    screenshot(assistant, "samples-assistant-desk")
