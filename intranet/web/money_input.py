"""Parse money typed by people: "1234.5", "1,234.50", "￥1234.50", "１２３４．５" → Decimal('1234.50')."""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import StringField, ValidationError

MAX_AMOUNT = Decimal("99999999.99")


# After NFKC: ASCII digits only (Decimal() would also take Arabic-Indic or Devanagari digits).
IME_DIGITS = frozenset("0123456789０１２３４５６７８９")
AMOUNT_TEXT = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def parse_amount(text: str, *, allow_zero: bool = False) -> Decimal:
    if any(unicodedata.category(ch) in ("Nd", "No") and ch not in IME_DIGITS for ch in text or ""):
        raise ValueError(_l("金额请用数字 0-9 填写"))  # ², ١٢٣, ४२: not what anyone means by an amount
    # NFKC turns what a Chinese IME types (「１２３．５」, full-width ￥ and ，) into ASCII.
    cleaned = unicodedata.normalize("NFKC", text or "").strip().replace(",", "").lstrip("¥").strip()
    if not cleaned:
        raise ValueError(_l("请填写金额"))
    if not AMOUNT_TEXT.fullmatch(cleaned):
        raise ValueError(_l("金额格式不正确"))
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(_l("金额格式不正确")) from exc
    if value < 0 or (cleaned.startswith("-") and value == 0):
        raise ValueError(_l("金额不能为负数"))
    if value == 0 and not allow_zero:
        raise ValueError(_l("金额必须大于零"))
    if value.as_tuple().exponent < -2:
        raise ValueError(_l("金额最多两位小数"))
    if value > MAX_AMOUNT:
        raise ValueError(_l("金额过大"))
    return value.quantize(Decimal("0.01"))


class MoneyField(StringField):
    """A text input that yields a Decimal with two places, or a Chinese error next to the field."""

    def __init__(self, label=None, validators=None, allow_zero=False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.allow_zero = allow_zero
        self.amount: Decimal | None = None

    def process_data(self, value):
        # A Decimal from the model (form built with obj=…) is shown and re-parsed as "1234.50".
        self.data = f"{value:.2f}" if isinstance(value, Decimal) else value

    def pre_validate(self, form):
        if not self.data and not self.flags.required:
            self.amount = None
            return
        try:
            self.amount = parse_amount(self.data, allow_zero=self.allow_zero)
        except ValueError as exc:
            raise ValidationError(str(exc.args[0])) from exc
