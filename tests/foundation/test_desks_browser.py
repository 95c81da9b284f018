"""The assistant in a real browser: the desk in Chinese, switch to English, another role's desk is 403."""

import pytest
from conftest import browser_login, screenshot


@pytest.mark.browser
def test_assistant_desk_in_chinese_then_english(page):
    browser_login(page, "assistant")
    assert page.url.endswith("/assistant/")
    heading = page.locator("h1")
    assert heading.inner_text().startswith("工作台")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator(".card").first.is_visible()  # the to-do card, with its honest empty state
    assert "暂无待办事项" in page.content()

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/assistant/")
    assert heading.inner_text().startswith("Desk")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav.mainnav").get_by_role("link", name="Desk").is_visible()
    assert "工作台" not in page.locator("body").inner_text()
    path = screenshot(page, "assistant-desk-en")
    assert path.stat().st_size > 10_000

    # The choice is the user's: it survives a new page load.
    page.reload()
    assert heading.inner_text().startswith("Desk")

    response = page.goto("/manager/")
    assert response.status == 403
    assert "Desk" in page.locator("nav.mainnav").inner_text()  # still signed in, still in English
