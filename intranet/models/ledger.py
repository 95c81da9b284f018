"""Petty cash (备用金): one account per custodian, an append-only ledger, month-end settlements.

Amounts are signed: money into the cash box is positive (float received, a reversal of
a payment), money out is negative (disbursement, claim payment, return to finance).
Each entry carries the running balance after it, a per-account sequence number and a
hash chained to the previous entry, so a removed or edited row is detectable.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import User
from .types import Money, UTCDateTime, utcnow

FLOAT_IN, DISBURSEMENT, CLAIM_PAYMENT = "float_in", "disbursement", "claim_payment"
RETURN_TO_FINANCE, REVERSAL, SETTLEMENT = "return_to_finance", "reversal", "settlement"
ENTRY_KINDS = (FLOAT_IN, DISBURSEMENT, CLAIM_PAYMENT, RETURN_TO_FINANCE, REVERSAL, SETTLEMENT)
SPEND_KINDS = (DISBURSEMENT, CLAIM_PAYMENT)
GENESIS = "0" * 64

PREPARED, LOCKED, SENT_BACK = "prepared", "locked", "sent_back"


class PettyCashAccount(db.Model):
    """The cash box a custodian (the assistant) keeps. `balance` is the last entry's balance."""

    __table_args__ = (CheckConstraint("balance >= 0", name="balance_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    custodian_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    balance: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    entry_count: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    custodian: Mapped[User] = relationship(foreign_keys=[custodian_id])


class LedgerEntry(db.Model):
    """One movement of cash. Never updated (except its confirmation, once) nor deleted."""

    __table_args__ = (
        CheckConstraint("balance >= 0", name="balance_not_negative"),
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in ENTRY_KINDS)})", name="kind_known"),
        UniqueConstraint("account_id", "seq", name="uq_ledger_entry_account_seq"),
        # The "unconfirmed" count and queue: only the few rows still waiting are indexed.
        Index("ix_ledger_entry_unconfirmed", "account_id", "id",
              postgresql_where=text("confirmed_by_id IS NULL"), sqlite_where=text("confirmed_by_id IS NULL")),
        # The spend chart's and reports' disbursements of a few periods: from the index alone.
        Index("ix_ledger_entry_spend", "kind", "period", "account_id", "category", "amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("petty_cash_account.id"), index=True)
    seq: Mapped[int] = mapped_column()  # 1, 2, 3 … per account: a gap means a removed row
    kind: Mapped[str] = mapped_column(String(20), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)  # signed: + into the box, − out of it
    balance: Mapped[Decimal] = mapped_column(Money)  # running balance after this entry
    category: Mapped[str] = mapped_column(String(30), default="")
    entry_date: Mapped[date] = mapped_column(Date)  # the day of the movement, Asia/Shanghai
    period: Mapped[str] = mapped_column(String(7), index=True)  # "2026-11"
    ref_type: Mapped[str] = mapped_column(String(30), default="")  # the document: "expense", …
    ref_id: Mapped[int | None] = mapped_column()
    memo: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    account: Mapped[PettyCashAccount] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    reverses: Mapped[LedgerEntry | None] = relationship(remote_side=[id], foreign_keys=[reverses_id])

    @property
    def inflow(self) -> Decimal | None:
        return self.amount if self.amount > 0 else None

    @property
    def outflow(self) -> Decimal | None:
        return -self.amount if self.amount < 0 else None


class PeriodClose(db.Model):
    """Month-end settlement (月底结算) of one account: prepared by the custodian, confirmed by finance."""

    __table_args__ = (UniqueConstraint("account_id", "period", name="uq_period_close_account_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("petty_cash_account.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    opening: Mapped[Decimal] = mapped_column(Money)
    received: Mapped[Decimal] = mapped_column(Money)
    spent: Mapped[Decimal] = mapped_column(Money)
    returned: Mapped[Decimal] = mapped_column(Money)
    closing: Mapped[Decimal] = mapped_column(Money)
    entry_count: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default=PREPARED)
    locked: Mapped[bool] = mapped_column(default=False)
    prepared_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str] = mapped_column(String(200), default="")

    account: Mapped[PettyCashAccount] = relationship()
    prepared_by: Mapped[User] = relationship(foreign_keys=[prepared_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
