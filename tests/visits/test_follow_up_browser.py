"""End to end in Chromium: the rep sees a follow-up on the desk, marks it done from the list without a
page reload (HTMX row swap), and it is gone from the desk; at phone width too."""

import pytest
from conftest import browser_login, screenshot
from playwright.sync_api import expect

from intranet.extensions import db
from intranet.models.visits import FollowUp

pytestmark = pytest.mark.browser


def test_follow_up_marked_done_leaves_the_desk(app, users, page):
    item = db.session.scalar(db.select(FollowUp).where(FollowUp.assignee_id == users["rep1"].id,
                                                       FollowUp.done_at.is_(None)).order_by(FollowUp.due_on))
    assert item is not None  # the demo gives rep1 open follow-ups
    browser_login(page, "rep1")
    page.goto("/rep/")
    card = page.locator("#card-visit_follow_ups")
    expect(card).to_contain_text(item.action)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/visits/follow-ups")
    row = page.locator(f"#follow-up-{item.id}")
    row.locator("input[name=note]").fill("已电话确认，客户满意")
    url = page.url
    row.locator("button").click()
    expect(page.locator(f"#follow-up-{item.id}")).to_contain_text("已完成")
    expect(page.locator(f"#follow-up-{item.id}")).to_contain_text("已电话确认")
    assert page.url == url  # swapped in place, no reload
    screenshot(page, "follow-up-done")
    page.goto("/rep/")
    expect(page.locator("#card-visit_follow_ups")).not_to_contain_text(item.action)
