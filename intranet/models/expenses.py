"""Expense claims (报销单), personal advances (借款), promotion budgets (促销活动费用), receipts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import User
from .types import Money, UTCDateTime, utcnow

# Category codes (labels live in services.expenses, translated).
CATEGORIES = ("travel", "entertainment", "courier", "print_brochure", "print_card", "promotion",
              "sample_postage", "other")

# Document states; the approval states mirror the engine's request.
DRAFT, PENDING, APPROVED, REJECTED, RETURNED, WITHDRAWN = (
    "draft", "pending", "approved", "rejected", "returned", "withdrawn")
PAID, SETTLED = "paid", "settled"
EDITABLE = (DRAFT, RETURNED, WITHDRAWN)

PETTY_CASH, OFFSET = "petty_cash", "offset"


class ExpenseClaim(db.Model):
    __table_args__ = (CheckConstraint("total >= 0", name="total_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claimant_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    promotion_id: Mapped[int | None] = mapped_column(ForeignKey("promotion.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Payment: offset against advances first (冲销), the rest from petty cash.
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    payment_method: Mapped[str] = mapped_column(String(20), default="")
    offset_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    cash_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"))

    claimant: Mapped[User] = relationship(foreign_keys=[claimant_id])
    paid_by: Mapped[User | None] = relationship(foreign_keys=[paid_by_id])
    promotion: Mapped[Promotion | None] = relationship()
    lines: Mapped[list[ExpenseLine]] = relationship(order_by="ExpenseLine.position", cascade="all, delete-orphan",
                                                    back_populates="claim")


class ExpenseLine(db.Model):
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        # The desks' spend chart reads a half-year window of lines: from the index alone.
        Index("ix_expense_line_spend", "spent_on", "claim_id", "category", "amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("expense_claim.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    category: Mapped[str] = mapped_column(String(30))
    spent_on: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    description: Mapped[str] = mapped_column(String(200), default="")
    # The outing the spending belongs to (SPEC 2.4: the assistant checks claims against recorded outings).
    visit_report_id: Mapped[int | None] = mapped_column(ForeignKey("visit_report.id"), index=True)
    trip_id: Mapped[int | None] = mapped_column(ForeignKey("trip.id"), index=True)

    claim: Mapped[ExpenseClaim] = relationship(back_populates="lines")
    visit_report = relationship("VisitReport")
    trip = relationship("Trip")


class Receipt(db.Model):
    """An uploaded receipt (image or PDF) of a claim, a promotion write-off or a ledger entry.

    The file lives under instance/uploads/receipts/<stored_name>; it is served only to
    people who may see the document it belongs to.
    """

    __table_args__ = (Index("ix_receipt_doc", "doc_type", "doc_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(30))  # "expense", "promotion", "ledger_entry"
    doc_id: Mapped[int] = mapped_column()
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User] = relationship()


class Advance(db.Model):
    """A personal advance for a trip (借款): paid out by finance, offset by claims, the rest returned."""

    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    purpose: Mapped[str] = mapped_column(String(200))
    trip_start: Mapped[date] = mapped_column(Date)
    trip_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    offset_total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    returned_total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    paid_by: Mapped[User | None] = relationship(foreign_keys=[paid_by_id])
    offsets: Mapped[list[AdvanceOffset]] = relationship(order_by="AdvanceOffset.id", back_populates="advance")

    @property
    def outstanding(self) -> Decimal:
        if self.status not in (PAID, SETTLED):
            return Decimal("0.00")
        return self.amount - self.offset_total - self.returned_total


class AdvanceOffset(db.Model):
    """Part of an advance cleared by a claim (冲销) or by cash returned to finance (claim_id None)."""

    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    advance_id: Mapped[int] = mapped_column(ForeignKey("advance.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("expense_claim.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="claim")  # claim, return
    amount: Mapped[Decimal] = mapped_column(Money)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    advance: Mapped[Advance] = relationship(back_populates="offsets")
    claim: Mapped[ExpenseClaim | None] = relationship()
    recorded_by: Mapped[User] = relationship()


class Promotion(db.Model):
    """A promotion activity: budget applied for before it, actual spend written off after it (核销)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    activity: Mapped[str] = mapped_column(String(120))
    location: Mapped[str] = mapped_column(String(120), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    plan: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    budget_total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    # The write-off (核销) has its own approval and state; "" until it is started.
    writeoff_status: Mapped[str] = mapped_column(String(12), default="")
    actual_total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    writeoff_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship()
    lines: Mapped[list[PromotionLine]] = relationship(order_by="PromotionLine.position",
                                                      cascade="all, delete-orphan", back_populates="promotion")

    def lines_of(self, kind: str) -> list[PromotionLine]:
        return [line for line in self.lines if line.kind == kind]

    @property
    def gap(self) -> Decimal:
        """Actual minus budget: positive when over budget."""
        return self.actual_total - self.budget_total


class PromotionLine(db.Model):
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    promotion_id: Mapped[int] = mapped_column(ForeignKey("promotion.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # budget, actual
    position: Mapped[int] = mapped_column(default=0)
    item: Mapped[str] = mapped_column(String(120))
    amount: Mapped[Decimal] = mapped_column(Money)
    description: Mapped[str] = mapped_column(String(200), default="")

    promotion: Mapped[Promotion] = relationship(back_populates="lines")


class ExpenseBudget(db.Model):
    """A period budget (费用预算) the director sets: for the department, a region or a person, for one
    category or all ("all"). `scope_key` ("department", "r<id>", "u<id>") makes the row unique per
    (period, scope, category) in both databases (NULLs would not collide in a unique constraint)."""

    __table_args__ = (UniqueConstraint("period", "scope_key", "category", name="uq_expense_budget_scope"),
                      CheckConstraint("amount >= 0", name="budget_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # "2026-11"
    scope_key: Mapped[str] = mapped_column(String(20))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    category: Mapped[str] = mapped_column(String(20), default="all")
    amount: Mapped[Decimal] = mapped_column(Money)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region = relationship("Region")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class SpendMonthTotal(db.Model):
    """The desks' spend card, summed ahead (services.spend_summary keeps it): one row per month, person,
    category and source, so the card reads a table that grows with months × people, not with lines.
    Whole cents (not Money): SQLite keeps NUMERIC as a double, and an increment must stay exact."""

    __table_args__ = (UniqueConstraint("month", "person_id", "category", "source", name="uq_spend_month_total"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # "YYYY-MM": the line's spent_on, the entry's period
    person_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)  # claimant; custodian for cash
    category: Mapped[str] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(12))  # "claim" | "petty_cash"
    cents: Mapped[int] = mapped_column(BigInteger, default=0)
