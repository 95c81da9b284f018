"""Sales targets (销售目标) broken down to reps by month, and the reps' annual and monthly sales plans
(年度/月销售计划表). Both are signed through the approval engine; an approved one is locked and a
change is an amendment (a new version) approved again, which supersedes the old one when approved."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .catalog import Product
from .customers import Customer
from .people import Region, Team, User
from .types import Money, UTCDateTime, utcnow

DRAFT, SUBMITTED, APPROVED, RETURNED, REJECTED, SUPERSEDED = (
    "draft", "submitted", "approved", "returned", "rejected", "superseded")
STATUSES = (DRAFT, SUBMITTED, APPROVED, RETURNED, REJECTED, SUPERSEDED)
EDITABLE = (DRAFT, RETURNED)
OPEN = (DRAFT, SUBMITTED, RETURNED)


class SalesTarget(db.Model):
    """The department's annual target (amount) and its breakdown to reps by month (each line carries the
    rep's team, so team targets are the sums of their reps'). Takes effect only once the gm approves it."""

    __table_args__ = (CheckConstraint("amount > 0", name="target_amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("sales_target.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User] = relationship()
    amends: Mapped[SalesTarget | None] = relationship(remote_side=[id])
    lines: Mapped[list[SalesTargetLine]] = relationship(order_by="(SalesTargetLine.rep_id, SalesTargetLine.month)",
                                                        cascade="all, delete-orphan", back_populates="target")

    @property
    def allocated(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal("0.00"))


class SalesTargetLine(db.Model):
    __table_args__ = (
        UniqueConstraint("target_id", "rep_id", "month", name="uq_target_line_rep_month"),
        CheckConstraint("amount >= 0", name="target_line_not_negative"),
        CheckConstraint("month >= 1 AND month <= 12", name="target_line_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("sales_target.id"), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    month: Mapped[int] = mapped_column()
    amount: Mapped[Decimal] = mapped_column(Money)

    target: Mapped[SalesTarget] = relationship(back_populates="lines")
    rep: Mapped[User] = relationship()
    team: Mapped[Team | None] = relationship()


class SalesPlan(db.Model):
    """A rep's annual plan (month is None) or monthly plan: which customers, which products, how much."""

    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    month: Mapped[int | None] = mapped_column()
    version: Mapped[int] = mapped_column(default=1)
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("sales_plan.id"))
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rep: Mapped[User] = relationship()
    amends: Mapped[SalesPlan | None] = relationship(remote_side=[id])
    lines: Mapped[list[SalesPlanLine]] = relationship(order_by="SalesPlanLine.id", cascade="all, delete-orphan",
                                                      back_populates="plan")

    @property
    def period(self) -> str:
        return f"{self.year}" if self.month is None else f"{self.year}-{self.month:02d}"

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal("0.00"))


class SalesPlanLine(db.Model):
    __table_args__ = (
        CheckConstraint("amount > 0", name="plan_line_amount_positive"),
        CheckConstraint("quantity >= 0", name="plan_line_quantity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("sales_plan.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    quantity: Mapped[int] = mapped_column(default=0)
    amount: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str] = mapped_column(String(200), default="")

    plan: Mapped[SalesPlan] = relationship(back_populates="lines")
    customer: Mapped[Customer] = relationship()
    product: Mapped[Product | None] = relationship()


class SalesForecast(db.Model):
    """A region's sales forecast (区域销售预测) for a month (2026-12), a quarter (2026-Q4) or a year (2026),
    filed by the region's supervisor before the period ends; filing again replaces the amount (audited)."""

    __table_args__ = (
        UniqueConstraint("region_id", "period", name="uq_forecast_region_period"),
        CheckConstraint("amount >= 0", name="forecast_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(8))  # month / quarter / year
    period: Mapped[str] = mapped_column(String(7))
    amount: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str] = mapped_column(String(200), default="")
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region: Mapped[Region] = relationship()
    filed_by: Mapped[User] = relationship()
