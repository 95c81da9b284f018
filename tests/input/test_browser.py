"""The acceptance flow in Chromium: a rep pastes a title with Word's Shift+Enter and a formula, saves the
claim with full-width IME digits; the manager's Excel export opens, shows the text, runs no formula."""

from io import BytesIO
from pathlib import Path

import pytest
from conftest import browser_login, screenshot
from openpyxl import load_workbook
from playwright.sync_api import expect

TITLE = '=HYPERLINK("http://evil.example/","上海")\v出差'


@pytest.mark.browser
def test_pasted_title_and_ime_digits_then_the_export_opens(page, browser, live_server):
    browser_login(page, "rep1")
    page.goto("/expenses/claims/new")
    page.fill("input[name=title]", TITLE)
    page.select_option("select[name='lines-0-category']", "travel")
    page.fill("input[name='lines-0-spent_on']", "2026-11-16")
    page.fill("input[name='lines-0-amount']", "１２３．５")
    page.click("button[name=action][value=save]")
    expect(page.locator("#flashes .flash-success")).to_contain_text("草稿")
    expect(page.locator("body")).to_contain_text("¥123.50")
    screenshot(page, "input-claim-saved")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "input-claim-saved-phone")

    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900})
    try:
        manager = context.new_page()
        browser_login(manager, "manager")
        manager.goto("/expenses/")
        with manager.expect_download() as info:
            manager.click("text=导出 Excel")
        ws = load_workbook(BytesIO(Path(info.value.path()).read_bytes())).active
        cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
        assert cells and all(c.data_type == "s" for c in cells)
        assert cells[0].value.endswith("上海\")\n出差")
    finally:
        context.close()
