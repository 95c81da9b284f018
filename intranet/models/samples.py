"""Samples and sales materials (样品与物料, SPEC 2.5): the store's items, the documents that move
stock (入库 receipt, 发放 issue, 归还 return — each prepared by one person and checked by another),
the append-only movement history, requests (领用申请), shortages (缺货登记) and the mailing
register (寄件登记)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import User
from .types import Money, UTCDateTime, utcnow

CATEGORIES = ("sample", "brochure", "card", "gift")

# Request (领用申请) states
DRAFT, PENDING, RETURNED, WITHDRAWN, REJECTED, APPROVED, PARTLY_ISSUED, ISSUED = (
    "draft", "pending", "returned", "withdrawn", "rejected", "approved", "partly_issued", "issued")
REQUEST_STATUSES = (DRAFT, PENDING, RETURNED, WITHDRAWN, REJECTED, APPROVED, PARTLY_ISSUED, ISSUED)
EDITABLE = (DRAFT, RETURNED, WITHDRAWN)
ISSUABLE = (APPROVED, PARTLY_ISSUED)

# Stock documents
RECEIPT, ISSUE, RETURN = "receipt", "issue", "return"
DOC_KINDS = (RECEIPT, ISSUE, RETURN)
TO_CHECK, CHECKED, CANCELLED = "to_check", "checked", "cancelled"
DOC_STATUSES = (TO_CHECK, CHECKED, CANCELLED)

# Mailing register
METHODS = ("courier", "freight", "hand")
SENT, RECEIVED, CONFIRMED = "sent", "received", "confirmed"
MAILING_STATUSES = (SENT, RECEIVED, CONFIRMED)


class SampleItem(db.Model):
    """One stock-keeping item. `on_hand` is what is on the shelf; `reserved` is held by issues
    waiting for their check, so what may still be issued is on_hand − reserved."""

    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_stock"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(12), default="sample")
    spec: Mapped[str] = mapped_column(String(120), default="")  # 型号/规格
    unit: Mapped[str] = mapped_column(String(20), default="个")
    batch: Mapped[str] = mapped_column(String(60), default="")  # 批号 of the latest receipt
    location: Mapped[str] = mapped_column(String(60), default="")  # 库位
    unit_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    low_stock: Mapped[int] = mapped_column(default=0)  # 库存预警线
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def is_low(self) -> bool:
        return self.active and self.on_hand <= self.low_stock


class SampleRequest(db.Model):
    """领用申请: a rep asks for items for a customer and/or a planned visit."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # LY-202611-0001
    month: Mapped[str] = mapped_column(String(7), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    customer_name: Mapped[str] = mapped_column(String(120), default="", index=True)
    planned_visit_id: Mapped[int | None] = mapped_column(ForeignKey("planned_visit.id"))
    purpose: Mapped[str] = mapped_column(Text, default="")
    total_value: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(16), default=DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rep: Mapped[User] = relationship(foreign_keys=[rep_id])
    lines: Mapped[list[SampleRequestLine]] = relationship(order_by="SampleRequestLine.id",
                                                          cascade="all, delete-orphan", back_populates="request")


class SampleRequestLine(db.Model):
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("issued_qty >= 0 AND issued_qty <= quantity", name="issued_within_request"),
        CheckConstraint("returned_qty >= 0 AND returned_qty <= issued_qty", name="returned_within_issued"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("sample_request.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("sample_item.id"), index=True)
    quantity: Mapped[int] = mapped_column()
    issued_qty: Mapped[int] = mapped_column(default=0)  # checked issues only
    returned_qty: Mapped[int] = mapped_column(default=0)  # checked returns only

    request: Mapped[SampleRequest] = relationship(back_populates="lines")
    item: Mapped[SampleItem] = relationship()


class StockDoc(db.Model):
    """入库单 / 发放单 / 归还单: prepared by one person, checked (复核) by another; stock moves on check."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # RK-/FF-/GH-202611-0001
    kind: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str] = mapped_column(String(10), default=TO_CHECK, index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("sample_request.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    prepared_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    month: Mapped[str | None] = mapped_column(String(7), index=True)  # month of the check (the register's)

    request: Mapped[SampleRequest | None] = relationship()
    prepared_by: Mapped[User] = relationship(foreign_keys=[prepared_by_id])
    checked_by: Mapped[User | None] = relationship(foreign_keys=[checked_by_id])
    lines: Mapped[list[StockDocLine]] = relationship(order_by="StockDocLine.id", cascade="all, delete-orphan",
                                                     back_populates="doc")


class StockDocLine(db.Model):
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_id: Mapped[int] = mapped_column(ForeignKey("stock_doc.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("sample_item.id"), index=True)
    request_line_id: Mapped[int | None] = mapped_column(ForeignKey("sample_request_line.id"))
    quantity: Mapped[int] = mapped_column()
    batch: Mapped[str] = mapped_column(String(60), default="")
    unit_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))

    doc: Mapped[StockDoc] = relationship(back_populates="lines")
    item: Mapped[SampleItem] = relationship()
    request_line: Mapped[SampleRequestLine | None] = relationship()


class StockMovement(db.Model):
    """One checked movement of one item (+ in, − out) with the balance after it. Never edited."""

    __table_args__ = (CheckConstraint("balance >= 0", name="balance_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("sample_item.id"), index=True)
    doc_id: Mapped[int] = mapped_column(ForeignKey("stock_doc.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[int] = mapped_column()
    balance: Mapped[int] = mapped_column()
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[SampleItem] = relationship()
    doc: Mapped[StockDoc] = relationship()


class Shortage(db.Model):
    """缺货登记: what a request asked for beyond the stock, reported to the rep's supervisor."""

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("sample_request.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("sample_item.id"), index=True)
    wanted: Mapped[int] = mapped_column()
    available: Mapped[int] = mapped_column()
    shortfall: Mapped[int] = mapped_column()
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[SampleRequest] = relationship()
    item: Mapped[SampleItem] = relationship()
    registered_by: Mapped[User] = relationship()


class Mailing(db.Model):
    """寄件登记: items or documents sent to a customer, tracked until received and verified."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # JJ-202611-0001
    month: Mapped[str] = mapped_column(String(7), index=True)  # of sent_on
    request_id: Mapped[int | None] = mapped_column(ForeignKey("sample_request.id"), index=True)
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    customer_name: Mapped[str] = mapped_column(String(120), index=True)
    contents: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    carrier: Mapped[str] = mapped_column(String(60), default="")
    tracking_no: Mapped[str] = mapped_column(String(40), default="", index=True)
    sent_on: Mapped[date] = mapped_column()
    cost: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    recipient: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(30), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default=SENT, index=True)
    received_on: Mapped[date | None] = mapped_column()
    confirmed_on: Mapped[date | None] = mapped_column()
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"))
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[SampleRequest | None] = relationship()
    rep: Mapped[User | None] = relationship(foreign_keys=[rep_id])
    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
