"""Attendance (考勤): check-ins and corrections (补卡), company calendar overrides, leave (请假),
business trips (出差), the morning meeting (早会), the violations register (过失单/奖励单) and
the month close with its frozen sheet (考勤表)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import User
from .types import Money, UTCDateTime, utcnow

LEAVE_KINDS = ("annual", "sick", "personal", "marriage", "bereavement", "other")
# A document on the approval engine: draft → pending → approved / rejected / returned / withdrawn;
# approved leave may be cancelled before it starts.
DRAFT, PENDING, APPROVED, REJECTED, RETURNED, WITHDRAWN, CANCELLED = (
    "draft", "pending", "approved", "rejected", "returned", "withdrawn", "cancelled")
DOC_STATUSES = (DRAFT, PENDING, APPROVED, REJECTED, RETURNED, WITHDRAWN, CANCELLED)


class CalendarOverride(db.Model):
    """A company day off (off) or extra working day (work) on top of the public-holiday calendar."""

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(String(4))  # "off" / "work"
    note: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttendanceRecord(db.Model):
    """One person's day as clocked: the first check-in and the last check-out (server clock).

    Unique per person and day, so two check-ins at the same moment store one row."""

    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_attendance_record_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    check_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(10), default="desk")  # desk / phone / field
    planned_visit_id: Mapped[int | None] = mapped_column(ForeignKey("planned_visit.id"))

    user: Mapped[User] = relationship()


class AttendanceCorrection(db.Model):
    """补卡: the assistant records or corrects a day, with a reason. Append-only: the latest counts,
    the clocked record and every earlier correction stay visible."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    check_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    by: Mapped[User] = relationship(foreign_keys=[by_id])


class LeaveRequest(db.Model):
    """请假: whole days from start_day to end_day; `start_pm` starts at noon, `end_am` ends at noon."""

    __table_args__ = (CheckConstraint("days > 0", name="leave_days_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    start_day: Mapped[date] = mapped_column(index=True)
    start_pm: Mapped[bool] = mapped_column(default=False)
    end_day: Mapped[date] = mapped_column(index=True)
    end_am: Mapped[bool] = mapped_column(default=False)
    days: Mapped[Decimal] = mapped_column(Numeric(5, 1))  # working days, computed by the service
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LeaveQuota(db.Model):
    """Annual leave days granted to a person for a year (else the `annual_leave_days` setting)."""

    __table_args__ = (UniqueConstraint("user_id", "year", name="uq_leave_quota"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    year: Mapped[int] = mapped_column()
    days: Mapped[Decimal] = mapped_column(Numeric(5, 1))


class Trip(db.Model):
    """出差申请: the days become trip days once approved."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    destination: Mapped[str] = mapped_column(String(120))
    start_day: Mapped[date] = mapped_column(index=True)
    end_day: Mapped[date] = mapped_column(index=True)
    purpose: Mapped[str] = mapped_column(Text)
    customers: Mapped[str] = mapped_column(Text, default="")  # 拜访客户
    estimated_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    advance_needed: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    links: Mapped[list[TripLink]] = relationship(order_by="TripLink.id", cascade="all, delete-orphan",
                                                 back_populates="trip")


class TripLink(db.Model):
    """An advance (借款) or an expense claim (报销) that belongs to a trip."""

    __table_args__ = (UniqueConstraint("doc_type", "doc_id", name="uq_trip_link_doc"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id"), index=True)
    doc_type: Mapped[str] = mapped_column(String(10))  # advance / expense
    doc_id: Mapped[int] = mapped_column()
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    trip: Mapped[Trip] = relationship(back_populates="links")


class MorningMeeting(db.Model):
    """早会 of a day: who attended, targets announced, problems raised."""

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    targets: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    absent_ids: Mapped[list] = mapped_column(JSON, default=list)  # user ids marked absent
    present_ids: Mapped[list] = mapped_column(JSON, default=list)


class Violation(db.Model):
    """过失单 / 奖励单 for a person, filed by their line manager, decided through the engine."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # fault / reward
    rule: Mapped[str] = mapped_column(String(20), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    evidence: Mapped[str] = mapped_column(Text)
    day: Mapped[date] = mapped_column(index=True)  # when it happened (the month it counts in)
    occurrence: Mapped[int] = mapped_column(default=1)  # the nth slip for this person and rule
    proposes_dismissal: Mapped[bool] = mapped_column(default=False)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    filed_by: Mapped[User] = relationship(foreign_keys=[filed_by_id])


class AttendanceMonth(db.Model):
    """A month closed by the assistant (locked) or reopened by the manager. `sheet` is the
    monthly sheet frozen at close: {user id: row}."""

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)
    closed: Mapped[bool] = mapped_column(default=True)
    sheet: Mapped[dict] = mapped_column(JSON, default=dict)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_reason: Mapped[str] = mapped_column(Text, default="")

    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    reopened_by: Mapped[User | None] = relationship(foreign_keys=[reopened_by_id])
