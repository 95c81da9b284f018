"""Column types shared by every model: money and UTC timestamps."""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import DateTime, Numeric, TypeDecorator

from ..clock import now_utc


class Money(TypeDecorator):
    """Yuan with two places, always Decimal in Python (never float)."""

    impl = Numeric(14, 2)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must be Decimal, not float")
        # 四舍五入 (half up), what finance staff expect; Decimal's default would round half to even.
        return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value).quantize(Decimal("0.01"))


class UTCDateTime(TypeDecorator):
    """Stored in UTC; aware datetimes in Python on every backend (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return now_utc()
