"""The daily sales sheet (销售日报表) of each rep, and the daily report (日报) sent from them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import User
from .types import Money, UTCDateTime, utcnow

# The two reports of the day (seeds 000, 003, 004): the compiled daily report at 16:30 and the
# work-log summary before the end of the day.
DAILY, WORKLOG = "daily", "worklog"
REPORT_KINDS = (DAILY, WORKLOG)


class DailySheet(db.Model):
    __table_args__ = (UniqueConstraint("rep_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    visits_done: Mapped[int] = mapped_column(default=0)  # counted from the visit reports when filed
    calls: Mapped[int] = mapped_column(default=0)
    # Typed until orders exist (services/orders.py will fill them).
    orders_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    payments_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    orders_note: Mapped[str] = mapped_column(Text, default="")
    opinions: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    tomorrow: Mapped[str] = mapped_column(Text, default="")
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    late: Mapped[bool] = mapped_column(default=False)
    excused: Mapped[str] = mapped_column(String(20), default="")  # "trip" / "leave": filed on return
    comment: Mapped[str] = mapped_column(Text, default="")
    commented_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rep: Mapped[User] = relationship(foreign_keys=[rep_id])
    commented_by: Mapped[User | None] = relationship(foreign_keys=[commented_by_id])
    checked_by: Mapped[User | None] = relationship(foreign_keys=[checked_by_id])


class DailyReportSend(db.Model):
    """One row per report and day: written before any email, so each day's report goes out once."""

    __table_args__ = (UniqueConstraint("kind", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    day: Mapped[date] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: sent by the schedule
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipients: Mapped[int] = mapped_column(default=0)

    sent_by: Mapped[User | None] = relationship()


class DailyNote(db.Model):
    """The assistant's covering note for a day's report, saved before it is sent."""

    __table_args__ = (UniqueConstraint("kind", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    day: Mapped[date] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")


class Subscription(db.Model):
    """Who gets which report: a user of the system or an external address (the chairman)."""

    __table_args__ = (UniqueConstraint("kind", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # daily / worklog / monthly
    address: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(60), default="")  # 财务（归档）, 董事长, 总经理 …
