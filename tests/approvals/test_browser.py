"""Acceptance 6: a supervisor approves from the inbox without a page reload; the badge count drops."""

import pytest
from conftest import browser_login, screenshot
from playwright.sync_api import expect

from intranet.extensions import db
from intranet.models import ApprovalRequest


@pytest.mark.browser
def test_supervisor_approves_inline_and_badge_drops(page, users, submitted):
    reqs = [submitted(users["rep1"], title=f"十二月拜访计划 {i}") for i in range(3)]
    browser_login(page, "supervisor1")
    page.goto("/approvals/")
    badge = page.locator("#approval-badge")
    expect(badge).to_have_text("3")
    page.evaluate("window.__marker = 'still-here'")
    url = page.url

    # the detail drawer opens in place with the document's history
    page.click(f"#approval-row-{reqs[0].id} a")
    expect(page.locator("#drawer .approval-history")).to_contain_text("主管审批")
    page.click("#drawer [data-close-drawer]")
    expect(page.locator("#drawer")).to_be_empty()

    # return without a comment: the message appears next to the field, nothing is decided
    row = page.locator(f"#approval-row-{reqs[1].id}")
    row.locator("button[value=return]").click()
    expect(page.locator(f"#approval-row-{reqs[1].id} .error")).to_have_text("驳回或退回时必须填写意见")
    expect(badge).to_have_text("3")

    # Enter in a comment decides nothing (it is a new line): "金额不对" must never become an approval
    comment = row.locator("textarea[name=comment]")
    comment.fill("金额不对，请退回修改")
    comment.press("Enter")
    page.wait_for_timeout(300)
    expect(badge).to_have_text("3")
    db.session.expire_all()
    assert db.session.get(ApprovalRequest, reqs[1].id).current_step == 0

    # approve inline: the row turns into its decided state and the badge drops, no navigation
    page.locator(f"#approval-row-{reqs[0].id} button[value=approve]").click()
    expect(page.locator(f"#approval-row-{reqs[0].id}")).to_contain_text("已通过")
    expect(badge).to_have_text("2")
    assert page.evaluate("window.__marker") == "still-here"
    assert page.url == url
    screenshot(page, "approvals-inbox")

    db.session.expire_all()
    assert db.session.get(ApprovalRequest, reqs[0].id).current_step == 1
    assert db.session.get(ApprovalRequest, reqs[1].id).status == "pending"
