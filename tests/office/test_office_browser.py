"""Acceptance 5 in Chromium: the manager circulates a notice, rep1 reads and acknowledges it; the
assistant asks to stamp a contract and the manager approves, then she logs the stamp; a minutes task
assigned to rep2 is done and checked by the manager. Screenshots at desktop and phone width."""

from datetime import timedelta

import pytest
from conftest import PHONE, browser_login, screenshot
from playwright.sync_api import expect
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import Minutes, Seal


@pytest.mark.browser
def test_notice_seal_and_task(page, as_user, users):
    _flow(page, as_user, users)


def _flow(page, as_user, users):
    # the manager circulates a notice to the reps (nobody chosen first: the message is in place)
    browser_login(page, "manager")
    page.goto("/office/")
    page.click("#new-notice")
    page.select_option("select[name=kind]", "notice")
    page.fill("input[name=title]", "关于年底客户对账的通知")
    page.fill("textarea[name=body]", "请各位业务员于月底前完成客户对账。")
    page.click("#save-notice")
    expect(page.locator("#notice-form .error")).to_contain_text("请选择传阅对象")
    page.select_option("select[name=roles]", ["rep"])
    page.click("#save-notice")
    expect(page.locator("#unread-list")).to_contain_text("周杰")
    notice_url = page.url

    # rep1 finds it on the desk, reads and acknowledges it
    rep1 = as_user("rep1", viewport=PHONE)
    rep1.goto("/rep/")
    expect(rep1.locator("#card-office_mine")).to_contain_text("关于年底客户对账的通知")
    rep1.goto(notice_url)
    rep1.click("#acknowledge")
    expect(rep1.locator("#read-at")).to_contain_text("阅读确认")
    screenshot(rep1, "office-notice-phone")
    page.goto(notice_url)
    expect(page.locator("#unread-list")).not_to_contain_text("周杰")
    expect(page.locator("#unread-list")).to_contain_text("吴磊")
    screenshot(page, "office-notice-register")

    # the assistant asks to stamp a contract; she cannot log it before the manager approves
    seal = db.session.scalar(select(Seal).where(Seal.name == "经济合同章"))
    assistant = as_user("assistant")
    assistant.goto("/office/seals")
    assistant.click("#new-seal-use")
    assistant.select_option("select[name=seal_id]", str(seal.id))
    assistant.select_option("select[name=kind]", "use")
    assistant.fill("input[name=document]", "宁波海天 RO-500 购销合同")
    assistant.fill("input[name=purpose]", "合同签订")
    assistant.fill("input[name=copies]", "0")
    assistant.click("#save-seal-use")
    expect(assistant.locator("#seal-form .error")).to_contain_text("份数应为")
    assistant.fill("input[name=copies]", "2")
    assistant.click("#save-seal-use")
    expect(assistant.locator("#seal-status")).to_have_text("审批中")
    expect(assistant.locator("#stamp")).to_have_count(0)
    use_url = assistant.url

    page.goto(use_url)
    page.locator(".decision-form textarea[name=comment]").fill("同意")
    page.locator(".decision-form button[value=approve]").click()
    expect(page.locator("#seal-status")).to_have_text("已批准")

    assistant.goto(use_url)
    assistant.click("#stamp")
    expect(assistant.locator("#stamped")).to_contain_text("赵敏 盖章")
    screenshot(assistant, "office-seal-use")

    # a task from the weekly meeting for rep2: done, then checked by the manager
    meeting = db.session.scalar(select(Minutes).where(Minutes.kind == "weekly"))
    page.goto(f"/office/minutes/{meeting.id}")
    page.select_option("select[name=assignee_id]", str(users["rep2"].id))
    page.fill("input[name=what]", "整理华东区客户回访记录")
    page.fill("input[name=due_on]", (meeting.held_on + timedelta(days=7)).isoformat())  # the seed's today + 7
    page.fill("input[name=place]", "办公室")
    page.fill("input[name=check_method]", "经理抽查三家")
    page.click("#save-task")
    row = page.locator("#tasks tr", has_text="整理华东区客户回访记录")
    expect(row).to_contain_text("吴磊")
    row.locator("a").click()
    task_url = page.url

    rep2 = as_user("rep2")
    rep2.goto(task_url)
    rep2.fill("textarea[name=result]", "已回访 12 家，记录已上传")
    rep2.click("#task-done")
    expect(rep2.locator("#task-status")).to_have_text("待检查")
    expect(rep2.locator("#task-check")).to_have_count(0)

    page.goto("/manager/")
    expect(page.locator("#card-office_mine")).to_contain_text("整理华东区客户回访记录")
    page.goto(task_url)
    page.click("#task-check")
    expect(page.locator("#task-status")).to_have_text("已检查")
    screenshot(page, "office-task-checked")
