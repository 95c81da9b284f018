"""Visit plans (拜访计划表) with their rows, and visit reports (拜访报告) with follow-ups."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .customers import Customer
from .people import User
from .types import Money, UTCDateTime, utcnow

# superseded: an approved plan replaced by its approved amendment.
PLAN_STATUSES = ("draft", "submitted", "approved", "returned", "rejected", "superseded")
PURPOSES = ("市场调查", "了解竞争对手", "客户维护", "结清货款", "开发新客户", "新产品推广")


class VisitPlan(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    version: Mapped[int] = mapped_column(default=1)
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("visit_plan.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rep: Mapped[User] = relationship()
    amends: Mapped[VisitPlan | None] = relationship(remote_side=[id])
    visits: Mapped[list[PlannedVisit]] = relationship(order_by="(PlannedVisit.date, PlannedVisit.id)",
                                                      cascade="all, delete-orphan", back_populates="plan")

    @property
    def locked(self) -> bool:
        return self.status in ("submitted", "approved", "rejected", "superseded")

    @property
    def total_cost(self) -> Decimal:
        return sum((v.expected_cost for v in self.visits), Decimal("0.00"))


class PlannedVisit(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("visit_plan.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    date: Mapped[date] = mapped_column(index=True)  # the day's visits (attendance board, field days)
    hours: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal("1.0"))
    purpose: Mapped[str] = mapped_column(String(20))
    items: Mapped[str] = mapped_column(String(200), default="")
    expected_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    # The row of the replaced plan this one was copied from (an amendment carries reports over).
    origin_id: Mapped[int | None] = mapped_column(ForeignKey("planned_visit.id"))

    plan: Mapped[VisitPlan] = relationship(back_populates="visits")
    customer: Mapped[Customer] = relationship()


class VisitReport(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    planned_visit_id: Mapped[int | None] = mapped_column(ForeignKey("planned_visit.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    visit_date: Mapped[date] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(Text)
    promises: Mapped[str] = mapped_column(Text, default="")
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_comment: Mapped[str] = mapped_column(Text, default="")

    rep: Mapped[User] = relationship(foreign_keys=[rep_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    customer: Mapped[Customer] = relationship()
    planned_visit: Mapped[PlannedVisit | None] = relationship()
    follow_ups: Mapped[list[FollowUp]] = relationship(order_by="FollowUp.due_on", cascade="all, delete-orphan",
                                                      back_populates="report")

    @property
    def unplanned(self) -> bool:
        return self.planned_visit_id is None


class FollowUp(db.Model):
    """A follow-up action of a visit report, tracked to done by its assignee (the rep, or whoever took
    over the rep's customers)."""

    __table_args__ = (
        # The desks' overdue and open follow-ups: only the few not yet done are indexed (a department
        # has done tens of thousands; the card read them all to find the open ones).
        Index("ix_follow_up_open", "due_on", postgresql_where=text("done_at IS NULL"),
              sqlite_where=text("done_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("visit_report.id"), index=True)
    action: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_note: Mapped[str] = mapped_column(Text, default="")
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    report: Mapped[VisitReport] = relationship(back_populates="follow_ups")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])

    @property
    def done(self) -> bool:
        return self.done_at is not None
