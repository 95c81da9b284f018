"""Pickers search as Chinese staff search: typing pinyin initials in the box before a customer
select narrows it to the matching customer and selects it (static/js/app.js + web/pickers.py)."""

import pytest
from conftest import PHONE, screenshot

from intranet.extensions import db
from intranet.models import Customer

pytestmark = pytest.mark.browser


def test_options_carry_the_stored_pinyin_keys(app, users, login):
    page = login("rep1").get("/visits/reports/new").text
    hongda = db.session.scalar(db.select(Customer).where(Customer.name.startswith("上海宏达")))
    assert f'data-keys="{hongda.name_initials} {hongda.name_pinyin}"' in page


@pytest.mark.parametrize("typed", ["shhd", "shanghai hongda"])
def test_typing_pinyin_in_the_customer_picker_selects_the_customer(app, users, as_user, typed):
    hongda = db.session.scalar(db.select(Customer).where(Customer.name.startswith("上海宏达")))
    page = as_user("rep1", viewport=PHONE)
    page.goto("/visits/reports/new")
    select = page.locator("select[name=customer]")
    search = page.locator("input.picker-search").first
    search.fill(typed)
    assert select.input_value() == str(hongda.id)
    visible = select.locator("option:not([hidden])").all_inner_texts()
    assert hongda.name in visible
    assert not [t for t in visible if t not in (hongda.name, "—") and "宏达" not in t]
    search.fill("")
    assert select.locator("option[hidden]").count() == 0
    screenshot(page, f"pinyin-picker-{typed.replace(' ', '-')}")
