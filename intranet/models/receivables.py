"""Incoming money and receivables (来款、应收账款, SPEC 2.10).

Finance registers each receipt of money (来款) from the bank slip; the assistant allocates it to
the customer's invoices (来款分配), finance confirms each allocation (four eyes). What is not
allocated stays on the receipt as the customer's credit. Allocations are append-only: a correction
is a reversal (冲销) with the opposite amount. Like the petty-cash ledger, each allocation carries a
per-receipt sequence number and a hash chained to the previous one, so a removed or edited row is
detectable (`services.receivables.verify`).

The monthly dunning notice (催款通知单) lists a team's overdue invoices; finance issues it, the
team's supervisor passes it on, each rep records the customer contact the same day.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .contracts import Contract
from .customers import Customer
from .orders import Invoice
from .people import Team, User
from .types import Money, UTCDateTime, utcnow

ALLOCATION, REVERSAL = "allocation", "reversal"
ALLOCATION_KINDS = (ALLOCATION, REVERSAL)
GENESIS = "0" * 64

ISSUED, PASSED_ON = "issued", "passed_on"


class IncomingPayment(db.Model):
    """来款: one receipt of money as the bank slip shows it. Never edited: only the running
    `allocated` figure and the chain head change, under a row lock, as allocations are appended.

    `allocated` reserves the receipt: every allocation counts at once (pending or confirmed), a
    reversal only once it is confirmed — so the receipt can never be allocated beyond its amount,
    whatever order things are confirmed in (the CHECK constraint backs this up)."""

    __table_args__ = (
        CheckConstraint("amount > 0", name="incoming_amount_positive"),
        CheckConstraint("allocated >= 0 AND allocated <= amount", name="incoming_allocated_within_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # LK-202611-0001
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    payer: Mapped[str] = mapped_column(String(120))  # 付款单位 as on the slip
    pay_type: Mapped[str] = mapped_column(String(10), default="transfer")
    bank: Mapped[str] = mapped_column(String(120), default="")
    amount: Mapped[Decimal] = mapped_column(Money)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    allocated: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    entry_count: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)

    customer: Mapped[Customer] = relationship()
    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id])

    @property
    def unallocated(self) -> Decimal:
        return self.amount - self.allocated


class PaymentAllocation(db.Model):
    """One allocation of a receipt to an invoice (+), or the reversal of one (−). Never updated
    (except its confirmation, once) nor deleted."""

    __table_args__ = (
        CheckConstraint("amount <> 0", name="allocation_amount_not_zero"),
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in ALLOCATION_KINDS)})", name="allocation_kind_known"),
        UniqueConstraint("payment_id", "seq", name="uq_payment_allocation_payment_seq"),
        # What the receivables count as collected per invoice: confirmed rows against an invoice only.
        Index("ix_payment_allocation_collected", "invoice_id", "amount",
              postgresql_where=text("confirmed_by_id IS NOT NULL AND invoice_id IS NOT NULL"),
              sqlite_where=text("confirmed_by_id IS NOT NULL AND invoice_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("incoming_payment.id"), index=True)
    seq: Mapped[int] = mapped_column()  # 1, 2, 3 … per receipt: a gap means a removed row
    kind: Mapped[str] = mapped_column(String(12))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    # The contract (合同) the money is for. The column keeps its first name (it is part of each row's
    # hash payload, see services/receivables._digest); since migration c72000000001 it is a foreign key.
    contract_ref: Mapped[int | None] = mapped_column(ForeignKey("contract.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)  # signed: + allocated, − reversed
    memo: Mapped[str] = mapped_column(String(200), default="")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("payment_allocation.id"), unique=True)
    allocated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    payment: Mapped[IncomingPayment] = relationship()
    customer: Mapped[Customer] = relationship()
    invoice: Mapped[Invoice | None] = relationship()
    contract: Mapped[Contract | None] = relationship(foreign_keys=[contract_ref])
    allocated_by: Mapped[User] = relationship(foreign_keys=[allocated_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    reverses: Mapped[PaymentAllocation | None] = relationship(remote_side=[id], foreign_keys=[reverses_id])


class DunningNotice(db.Model):
    """催款通知单 of one team for one month: the overdue invoices as of the day it was issued."""

    __table_args__ = (UniqueConstraint("team_id", "month", name="uq_dunning_notice_team_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    status: Mapped[str] = mapped_column(String(12), default=ISSUED, index=True)
    issued_on: Mapped[date] = mapped_column(Date)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    passed_on_on: Mapped[date | None] = mapped_column(Date, index=True)  # the day the reps must act
    passed_on_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    passed_on_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team] = relationship()
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])
    passed_on_by: Mapped[User | None] = relationship(foreign_keys=[passed_on_by_id])
    lines: Mapped[list[DunningLine]] = relationship(order_by="DunningLine.id", back_populates="notice")


class DunningLine(db.Model):
    """One overdue invoice on the notice, and what its rep agreed with the customer."""

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("dunning_notice.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    open_amount: Mapped[Decimal] = mapped_column(Money)
    due_on: Mapped[date] = mapped_column(Date)
    days_overdue: Mapped[int] = mapped_column()
    contacted_on: Mapped[date | None] = mapped_column(Date)
    contact_person: Mapped[str] = mapped_column(String(60), default="")
    result: Mapped[str] = mapped_column(Text, default="")  # what was agreed
    promised_on: Mapped[date | None] = mapped_column(Date)  # the date the customer promised to pay
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    notice: Mapped[DunningNotice] = relationship(back_populates="lines")
    invoice: Mapped[Invoice] = relationship()
    customer: Mapped[Customer] = relationship()
    rep: Mapped[User] = relationship(foreign_keys=[rep_id])
