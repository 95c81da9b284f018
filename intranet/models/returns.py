"""Returns (退货): the request with its product lines, the quality complaint form (品质投诉单),
photos, and the tracking after sign-off (customer notified → shipped back → received → refund/credit → closed)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .catalog import Product
from .people import User
from .types import Money, UTCDateTime, utcnow

REASONS = ("quality", "wrong_goods", "transit_damage", "other")
# These reasons need the assistant's quality complaint form before the request goes up for sign-off.
COMPLAINT_REASONS = ("quality", "wrong_goods", "transit_damage")

# Before sign-off
DRAFT, AWAITING_COMPLAINT, PENDING, RETURNED, WITHDRAWN, REJECTED = (
    "draft", "awaiting_complaint", "pending", "returned", "withdrawn", "rejected")
# After sign-off (the assistant tracks it to the end)
SIGNED, NOTIFIED, SHIPPED, RECEIVED, REFUNDED, CLOSED = (
    "signed", "notified", "shipped", "received", "refunded", "closed")
STATUSES = (DRAFT, AWAITING_COMPLAINT, PENDING, RETURNED, WITHDRAWN, REJECTED,
            SIGNED, NOTIFIED, SHIPPED, RECEIVED, REFUNDED, CLOSED)
EDITABLE = (DRAFT, RETURNED, WITHDRAWN)
TRACKING = (SIGNED, NOTIFIED, SHIPPED, RECEIVED, REFUNDED, CLOSED)

REFUND_KINDS = ("refund", "credit")


class ReturnRequest(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # TH-202611-0001
    month: Mapped[str] = mapped_column(String(7), index=True)  # "2026-11", Asia/Shanghai, at creation
    # No customer archive link yet: the name as typed, and the archive id once one is chosen.
    customer_name: Mapped[str] = mapped_column(String(120), index=True)
    customer_id: Mapped[int | None] = mapped_column(index=True)
    order_ref: Mapped[str] = mapped_column(String(60))  # 原订单 / 发货单号, typed
    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    reason_detail: Mapped[str] = mapped_column(Text, default="")
    justification: Mapped[str] = mapped_column(Text, default="")  # required unless reason is quality
    cost_split: Mapped[str] = mapped_column(Text, default="")  # 费用分担: who pays freight etc.
    total_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # the register's period

    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    notify_note: Mapped[str] = mapped_column(Text, default="")

    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    shipped_on: Mapped[date | None] = mapped_column()
    carrier: Mapped[str] = mapped_column(String(60), default="")
    tracking_no: Mapped[str] = mapped_column(String(60), default="")

    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    received_on: Mapped[date | None] = mapped_column()
    receipt_note: Mapped[str] = mapped_column(Text, default="")  # why counted ≠ approved

    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refunded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    refund_kind: Mapped[str | None] = mapped_column(String(10))  # refund 退款 / credit 红字冲账
    refund_amount: Mapped[Decimal | None] = mapped_column(Money)
    refund_date: Mapped[date | None] = mapped_column()
    refund_reference: Mapped[str] = mapped_column(String(80), default="")

    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    rep: Mapped[User] = relationship(foreign_keys=[rep_id])
    notified_by: Mapped[User | None] = relationship(foreign_keys=[notified_by_id])
    shipped_by: Mapped[User | None] = relationship(foreign_keys=[shipped_by_id])
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])
    refunded_by: Mapped[User | None] = relationship(foreign_keys=[refunded_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    lines: Mapped[list[ReturnLine]] = relationship(order_by="ReturnLine.position", cascade="all, delete-orphan",
                                                   back_populates="request")
    complaint: Mapped[QualityComplaint | None] = relationship(cascade="all, delete-orphan",
                                                              back_populates="request")
    attachments: Mapped[list[ReturnAttachment]] = relationship(order_by="ReturnAttachment.id",
                                                               cascade="all, delete-orphan",
                                                               back_populates="request")
    events: Mapped[list[ReturnEvent]] = relationship(order_by="ReturnEvent.id", cascade="all, delete-orphan",
                                                     back_populates="request")

    @property
    def needs_complaint(self) -> bool:
        return self.reason in COMPLAINT_REASONS

    @property
    def flagged(self) -> bool:
        """原则上不予退换: anything but a quality problem."""
        return self.reason != "quality"


class ReturnLine(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_request.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    quantity: Mapped[int] = mapped_column()
    unit_price: Mapped[Decimal] = mapped_column(Money)
    amount: Mapped[Decimal] = mapped_column(Money)  # quantity × unit_price, computed by the service
    received_qty: Mapped[int | None] = mapped_column()  # counted into the warehouse

    request: Mapped[ReturnRequest] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class QualityComplaint(db.Model):
    """品质投诉单, filled by the assistant and attached to the return."""

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_request.id"), unique=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    batch: Mapped[str] = mapped_column(String(60), default="")  # 批号
    defect: Mapped[str] = mapped_column(Text, default="")  # 缺陷描述
    customer_demand: Mapped[str] = mapped_column(Text, default="")  # 客户诉求
    proposed_handling: Mapped[str] = mapped_column(Text, default="")  # 处理意见
    filled_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    filled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[ReturnRequest] = relationship(back_populates="complaint")
    product: Mapped[Product | None] = relationship()
    filled_by: Mapped[User] = relationship()


class ReturnAttachment(db.Model):
    """A photo or PDF, stored under instance/uploads/returns/<return id>/<stored_name>."""

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_request.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default="photo")  # photo (request) / complaint
    filename: Mapped[str] = mapped_column(String(200))  # as uploaded, shown to people
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[ReturnRequest] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User] = relationship()

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ReturnEvent(db.Model):
    """The return's own timeline (filed, complaint attached, signed, notified, shipped, received, …)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_request.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    request: Mapped[ReturnRequest] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
