"""Jinja filters: money as ¥1,234.50, dates as 2026-11-22 in Asia/Shanghai (the clock's zone)."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel.speaklater import LazyString
from markupsafe import escape

from ..clock import SHANGHAI, today_local


def money(value) -> str:
    if value is None or value == "":
        return ""
    value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # 四舍五入, as stored
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"


def local(value: datetime) -> datetime:
    return value.astimezone(SHANGHAI)


def fmt_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value)
    return value.strftime("%Y-%m-%d")


def fmt_datetime(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local(value).strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d") if isinstance(value, date) else str(value)


def _escaped_html(self) -> str:
    return str(escape(str(self)))


def register(app) -> None:
    # Flask-Babel's lazy strings declare themselves safe HTML, so a message that carries user text
    # ("已存在同名客户:%(names)s") would put that text into the page unescaped. Our messages hold no
    # markup: render every lazy string escaped, like any other text.
    LazyString.__html__ = _escaped_html
    app.jinja_env.filters.update(money=money, date=fmt_date, datetime=fmt_datetime)
    app.jinja_env.globals.update(today_local=today_local)
