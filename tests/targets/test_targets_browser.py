"""Targets in Chromium: the director sets next year's department target and breaks it down to the reps
by month; submitting an unbalanced breakdown is refused with the difference; balanced, it goes to the gm,
who approves it from its page, and it takes effect; supervisor1 files a forecast for the region; rep1
reads the 销售状况一览表 on a phone and sees only their own line."""

import pytest
from conftest import PHONE, browser_login, screenshot
from playwright.sync_api import expect

from intranet.clock import today_local

STATUS = ".page-head h1 .status"


@pytest.mark.browser
def test_target_breakdown_approval_forecast_and_rep_view(page, as_user, users):
    # Dates from the clock (browser tests keep the real one): the demo holds this year's target, so the
    # director sets next year's; the forecast is for this month.
    next_year, this_month = today_local().year + 1, today_local().strftime("%Y-%m")
    browser_login(page, "director")
    page.goto("/targets/")
    page.fill("#target-form input[name=year]", str(next_year))
    page.fill("#target-form input[name=amount]", "1,000,000")
    page.click("#target-form button.primary")
    expect(page.locator(STATUS)).to_have_text("草稿")
    cells = page.locator("#breakdown input[name^=cell-]")
    count = cells.count()
    assert count >= 12 and count % 12 == 0
    share = f"{1_000_000 / count:.2f}"
    for i in range(count):
        cells.nth(i).fill(share)
    cells.nth(0).fill("0")  # one cell short: refused at submission with the difference
    page.click("#breakdown button.primary")
    page.get_by_role("button", name="提交总经理审批").click()
    expect(page.locator(".flash").first).to_contain_text("相差")
    expect(page.locator(STATUS)).to_have_text("草稿")
    page.locator("#breakdown input[name^=cell-]").nth(0).fill(share)
    remainder = 1_000_000 - round(float(share), 2) * count
    if remainder:  # rounding: the last cell takes the cents left over
        last = page.locator("#breakdown input[name^=cell-]").nth(count - 1)
        last.fill(f"{float(share) + remainder:.2f}")
    page.click("#breakdown button.primary")
    page.get_by_role("button", name="提交总经理审批").click()
    expect(page.locator(STATUS)).to_have_text("审批中")
    target_url = page.url

    gm = as_user("gm")
    gm.goto(target_url)
    gm.locator(".decision-form button[value=approve]").click()
    expect(gm.locator(STATUS)).to_have_text("已生效")
    screenshot(gm, "targets-approved")

    supervisor = as_user("supervisor1", viewport=PHONE)
    supervisor.goto("/targets/forecasts")
    supervisor.fill("#forecast-form input[name=period]", this_month)
    supervisor.fill("#forecast-form input[name=amount]", "１８０，０００")
    supervisor.click("#save-forecast")
    expect(supervisor.locator(".flash").first).to_contain_text("销售预测已保存")
    expect(supervisor.locator("#forecasts")).to_contain_text("¥180,000.00")
    screenshot(supervisor, "targets-forecast-phone")

    rep = as_user("rep1", viewport=PHONE)
    rep.goto("/targets/overview")
    body = rep.locator("main")
    expect(body).to_contain_text("周杰")
    for other in ("吴磊", "郑爽"):
        expect(body).not_to_contain_text(other)
    screenshot(rep, "targets-overview-rep-phone")
