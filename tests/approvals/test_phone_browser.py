"""Issue 13: the inbox on a phone (390×844). A supervisor approves a row without scrolling
sideways; the focus moves on to the next row to decide; the top menu is compact and grouped."""

import pytest
from conftest import browser_login, screenshot
from playwright.sync_api import expect

from intranet.extensions import db
from intranet.models import ApprovalRequest


@pytest.mark.browser
def test_supervisor_approves_on_a_phone_without_horizontal_scroll(page, users, submitted):
    reqs = [submitted(users["rep1"], title=f"十二月拜访计划（第 {i} 版）") for i in range(2)]
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "supervisor1")
    page.goto("/approvals/")
    no_sideways = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_sideways)

    # the top bar stays compact: at most a fifth of the screen
    assert page.locator("header.topbar").bounding_box()["height"] < 844 / 5

    row = page.locator(f"#approval-row-{reqs[0].id}")
    approve = row.locator("button[value=approve]")
    box = approve.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # on screen without scrolling sideways
    # the cells are labelled like a card ("提交人 张伟")
    assert row.locator("td[data-label='提交人']").is_visible()
    screenshot(page, "approvals-inbox-phone")

    approve.click()
    expect(page.locator(f"#approval-row-{reqs[0].id}")).to_contain_text("已通过")
    expect(page.locator("#approval-badge")).to_contain_text("1")
    # the keyboard carries on with the next row still to decide
    expect(page.locator(f"#approval-row-{reqs[1].id} textarea")).to_be_focused()
    assert page.evaluate(no_sideways)
    screenshot(page, "approvals-inbox-phone-decided")
    db.session.expire_all()
    assert db.session.get(ApprovalRequest, reqs[0].id).current_step == 1


@pytest.mark.browser
def test_the_top_menu_groups_open_and_the_skip_link_leads_to_the_content(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_login(page, "manager")
    nav = page.locator("nav.mainnav")
    # one line at 1366 px: every top item sits on the first item's row
    tops = nav.evaluate("n => Array.from(n.children).map(c => c.getBoundingClientRect().top)")
    assert max(tops) - min(tops) < 8, tops
    group = nav.locator("details.navgroup", has_text="管理")
    expect(group.get_by_role("link", name="人员")).to_be_hidden()
    group.locator("summary").click()
    expect(group.get_by_role("link", name="人员")).to_be_visible()
    screenshot(page, "manager-menu-open")
    group.get_by_role("link", name="人员").click()
    page.wait_for_url("**/org/users")
    expect(page.locator("details.navgroup.current summary")).to_have_text("管理")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    skip.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
