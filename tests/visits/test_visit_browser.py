"""End to end in Chromium: plan built and submitted, returned with a comment, fixed, resubmitted,
approved; a visit reported; the completion figures move."""

import re
from datetime import timedelta

import pytest
from conftest import browser_login, screenshot
from playwright.sync_api import expect
from visit_helpers import clear_demo_visits, customer_of

from intranet.web.formatting import today_local

pytestmark = pytest.mark.browser


def _stats_row(page, month):
    page.goto(f"/visits/stats?month={month}")
    return page.locator('tr.stats-rep[data-rep="rep1"]')


def test_plan_return_resubmit_approve_report(app, users, browser, live_server, page):
    clear_demo_visits()
    today = today_local()
    month = f"{today:%Y-%m}"
    first_day, second_day = max(today - timedelta(days=3), today.replace(day=1)), max(
        today - timedelta(days=2), today.replace(day=1))
    customer = customer_of("rep1").name

    # rep1 builds this month's plan with two visits (HTMX row editor) and submits it
    browser_login(page, "rep1")
    page.goto("/visits/plans")
    page.fill("#plan-new input[name=month]", month)
    page.click("#plan-new button.primary")
    expect(page.locator("#plan-status")).to_have_text("草稿")
    plan_url = page.url
    for day, purpose in ((first_day, "客户维护"), (second_day, "新产品推广")):
        page.select_option("#editor select[name=customer]", label=customer)
        page.fill("#editor input[name=date]", day.isoformat())
        page.fill("#editor input[name=hours]", "2")
        page.select_option("#editor select[name=purpose]", purpose)
        page.fill("#editor input[name=items]", "样品、宣传册")
        page.fill("#editor input[name=expected_cost]", "150")
        page.click("#add-row")
        expect(page.locator("#plan-rows tbody")).to_contain_text(purpose)
    expect(page.locator("#plan-rows tbody tr")).to_have_count(2)
    page.click("#submit-plan")
    expect(page.locator("#plan-status")).to_have_text("审批中")

    # supervisor1 returns it with a comment from the plan page
    boss_context = browser.new_context(base_url=live_server, locale="zh-CN")
    boss = boss_context.new_page()
    browser_login(boss, "supervisor1")
    boss.goto(plan_url)
    boss.fill(".decision-form textarea[name=comment]", "第二次拜访请改为结清货款")
    boss.click(".decision-form button[value=return]")
    expect(boss.locator("#plan-status")).to_have_text("已退回修改")

    # rep1 sees the comment, fixes the row inline and resubmits
    page.goto(plan_url)
    expect(page.locator("#return-comment")).to_contain_text("第二次拜访请改为结清货款")
    page.locator("#plan-rows tbody tr").nth(1).get_by_role("link", name="修改").click()
    expect(page.locator("#row-edit")).to_be_visible()
    page.select_option("#row-edit select[name=purpose]", "结清货款")
    page.click("#row-edit button.primary")
    expect(page.locator("#row-edit")).to_have_count(0)
    expect(page.locator("#plan-rows tbody tr").nth(1)).to_contain_text("结清货款")
    page.click("#submit-plan")
    expect(page.locator("#plan-status")).to_have_text("审批中")

    # supervisor1 approves; the figures show two planned visits, none done
    boss.goto(plan_url)
    boss.click(".decision-form button[value=approve]")
    expect(boss.locator("#plan-status")).to_have_text("已批准")
    row = _stats_row(boss, month)
    expect(row.locator("td").nth(1)).to_have_text("2")
    expect(row.locator("td").nth(2)).to_have_text("0")
    expect(row.locator("td.rate")).to_have_text("0.0%")

    # rep1 files the report of the first visit from the approved plan
    page.goto(plan_url)
    expect(page.locator("#plan-status")).to_have_text("已批准")
    page.locator("a.report-link").first.click()
    page.fill("textarea[name=outcome]", "客户同意试用新款滤芯")
    page.fill("textarea[name=promises]", "一周内送样")
    page.fill("input[name='follow_ups-0-action']", "送样并回访")
    page.fill("input[name='follow_ups-0-due_on']", (today + timedelta(days=7)).isoformat())
    page.click("#report-form button.primary")
    expect(page.locator("h1")).to_contain_text("拜访报告")
    expect(page.locator(".flashes")).to_contain_text("已提交拜访报告")

    row = _stats_row(boss, month)
    expect(row.locator("td").nth(2)).to_have_text("1")
    expect(row.locator("td.rate")).to_have_text(re.compile(r"^50\.0%$"))
    screenshot(boss, "visits-plan-vs-actual")
    boss_context.close()
