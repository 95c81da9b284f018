"""Money shown as ¥1,234.50 and money typed by people parsed into Decimal with two places."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intranet.web.formatting import money
from intranet.web.money_input import MAX_AMOUNT, parse_amount


@pytest.mark.parametrize(("value", "shown"), [
    (Decimal("1234.5"), "¥1,234.50"),
    (Decimal("0"), "¥0.00"),
    (Decimal("0.005"), "¥0.01"),  # 四舍五入 (half up), not Decimal's default half-even
    (Decimal("2.345"), "¥2.35"),
    (Decimal("-2.345"), "-¥2.35"),
    (Decimal("1234567.891"), "¥1,234,567.89"),
    (Decimal("-1234.5"), "-¥1,234.50"),
    (Decimal("-0.5"), "-¥0.50"),
    ("28600", "¥28,600.00"),
    (18, "¥18.00"),
    (None, ""),
    ("", ""),
])
def test_money_filter(value, shown):
    assert money(value) == shown


def test_money_filter_in_a_template(app):
    with app.test_request_context():
        html = app.jinja_env.from_string("{{ amount|money }}").render(amount=Decimal("-9876543.21"))
    assert html == "-¥9,876,543.21"


@pytest.mark.parametrize(("text", "value"), [
    ("1234.5", Decimal("1234.50")),
    ("1,234.50", Decimal("1234.50")),
    ("￥1234.50", Decimal("1234.50")),
    ("¥ 1,234.50", Decimal("1234.50")),
    ("  88  ", Decimal("88.00")),
    ("1，234.5", Decimal("1234.50")),  # full-width comma from a Chinese input method
    ("0.01", Decimal("0.01")),
    ("99999999.99", MAX_AMOUNT),
])
def test_parse_amount_accepts(text, value):
    parsed = parse_amount(text)
    assert parsed == value and parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(("text", "message"), [
    ("-5", "金额不能为负数"),
    ("¥-1,234.50", "金额不能为负数"),
    ("1.234", "金额最多两位小数"),
    ("100000000", "金额过大"),
    ("1e12", "金额过大"),
    ("NaN", "金额格式不正确"),
    ("Infinity", "金额格式不正确"),
    ("-Infinity", "金额格式不正确"),
    ("sNaN", "金额格式不正确"),
    ("", "请填写金额"),
    ("   ", "请填写金额"),
    (None, "请填写金额"),
    ("¥", "请填写金额"),
    ("12元", "金额格式不正确"),
    ("abc", "金额格式不正确"),
    ("0", "金额必须大于零"),
])
def test_parse_amount_rejects(text, message):
    with pytest.raises(ValueError) as caught:
        parse_amount(text)
    assert str(caught.value.args[0]) == message


def test_zero_only_where_allowed():
    assert parse_amount("0", allow_zero=True) == Decimal("0.00")
    assert parse_amount("0.00", allow_zero=True) == Decimal("0.00")


amounts = st.decimals(min_value=Decimal("0.01"), max_value=MAX_AMOUNT, places=2, allow_nan=False,
                      allow_infinity=False)


@given(amounts)
def test_formatted_amount_round_trips(value):
    """What the money filter shows can be typed back in and gives the same Decimal."""
    shown = money(value)
    assert parse_amount(shown) == value
    assert parse_amount(shown.replace(",", "")) == value


@given(amounts)
def test_plain_amount_round_trips(value):
    assert parse_amount(f"{value:f}") == value
    assert parse_amount(f"￥{value:,.2f}") == value


def test_money_column_rounds_half_up_and_refuses_float(app):
    from intranet.extensions import db
    from intranet.models import Product

    product = Product(code="T-1", name="测试", spec="", unit="个", list_price=Decimal("1.005"))
    db.session.add(product)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Product, product.id).list_price == Decimal("1.01")
    product.list_price = 1.5
    with pytest.raises(Exception, match="money must be Decimal"):
        db.session.commit()
    db.session.rollback()
