"""Quotations (报价单) and contracts (合同: sales contract / 分销协议) of SPEC 2.10: lines from the product
catalog, review through the approval engine, the signed scan, the original tracked until finance has it,
and the change papers kept with the contract."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .catalog import Product
from .customers import Customer
from .people import User
from .types import Money, UTCDateTime, utcnow

# Review states shared by both documents (they mirror the approval request), then the contract's own.
DRAFT, PENDING, APPROVED, REJECTED, RETURNED, WITHDRAWN = (
    "draft", "pending", "approved", "rejected", "returned", "withdrawn")
SENT, CONVERTED = "sent", "converted"  # quotation after review
SIGNED, CLOSED = "signed", "closed"  # contract after review
QUOTATION_STATUSES = (DRAFT, PENDING, APPROVED, REJECTED, RETURNED, WITHDRAWN, SENT, CONVERTED)
CONTRACT_STATUSES = (DRAFT, PENDING, APPROVED, REJECTED, RETURNED, WITHDRAWN, SIGNED, CLOSED)
EDITABLE = (DRAFT, RETURNED, WITHDRAWN)
KINDS = ("sales", "distribution")  # 销售合同 / 分销协议


class Quotation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # BJ-202612-0001
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    valid_until: Mapped[date] = mapped_column()
    terms: Mapped[str] = mapped_column(Text, default="")
    total_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer: Mapped[Customer] = relationship()
    rep: Mapped[User] = relationship()
    lines: Mapped[list[QuotationLine]] = relationship(back_populates="quotation", cascade="all, delete-orphan",
                                                      order_by="QuotationLine.id")


class QuotationLine(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    quotation_id: Mapped[int] = mapped_column(ForeignKey("quotation.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    quantity: Mapped[int] = mapped_column()
    unit_price: Mapped[Decimal] = mapped_column(Money)
    amount: Mapped[Decimal] = mapped_column(Money)

    quotation: Mapped[Quotation] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class Contract(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # HT-202612-0001
    kind: Mapped[str] = mapped_column(String(20), default="sales")
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    quotation_id: Mapped[int | None] = mapped_column(ForeignKey("quotation.id"), index=True)
    total_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    payment_terms: Mapped[str] = mapped_column(Text, default="")
    # The payment-term rule that wrote payment_terms (left blank on the form); None when it was typed.
    payment_rule_id: Mapped[int | None] = mapped_column(ForeignKey("payment_term_rule.id"))
    delivery_terms: Mapped[str] = mapped_column(Text, default="")
    special_clauses: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    signed_on: Mapped[date | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The scan of the signed copy (a stored file) and the original, tracked until finance has it.
    scan_file_id: Mapped[int | None] = mapped_column(index=True)
    original_received: Mapped[bool] = mapped_column(default=False)
    original_received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    original_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer: Mapped[Customer] = relationship()
    rep: Mapped[User] = relationship(foreign_keys=[rep_id])
    original_received_by: Mapped[User | None] = relationship(foreign_keys=[original_received_by_id])
    payment_rule: Mapped[PaymentTermRule | None] = relationship()
    lines: Mapped[list[ContractLine]] = relationship(back_populates="contract", cascade="all, delete-orphan",
                                                     order_by="ContractLine.id")
    changes: Mapped[list[ContractChange]] = relationship(back_populates="contract", order_by="ContractChange.id")


class ContractLine(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    quantity: Mapped[int] = mapped_column()
    unit_price: Mapped[Decimal] = mapped_column(Money)
    amount: Mapped[Decimal] = mapped_column(Money)

    contract: Mapped[Contract] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class ContractChange(db.Model):
    """A contract-change paper (合同变更): a stored file kept with the contract, never replaced."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    file_id: Mapped[int] = mapped_column()
    note: Mapped[str] = mapped_column(String(200), default="")
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contract: Mapped[Contract] = relationship(back_populates="changes")


BALANCE_RULES = ("before_shipment", "after_delivery", "after_acceptance", "monthly")  # 款到发货 / 货到 / 验收 / 月结


class PaymentTermRule(db.Model):
    """A payment-terms rule (付款条件规则): for customers of one class (Customer.kind; None = every class)
    and contracts of at least min_amount, the deposit at signing and when the balance is due. The
    proposal for a contract is the active rule of its customer's class with the highest min_amount
    not above the amount (services/payment_terms.py)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_kind: Mapped[str | None] = mapped_column(String(20))
    min_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    deposit_percent: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))  # 0–100, two places
    balance_rule: Mapped[str] = mapped_column(String(20))  # one of BALANCE_RULES
    balance_days: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(String(200), default="")  # appended to the text (e.g. 质保金)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
