"""Orders, payment first, shipments and invoices (SPEC 2.9): the stock of sellable products and its
append-only movements, payment notices (款到通知) confirmed by finance, orders (订货登记 → 制单),
shortages (缺货登记), shipments (发货, prepared by one person and checked by another), invoices
(开票登记, double review) and the four-eyes changes of customer master data."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .catalog import Product
from .contracts import Contract
from .customers import Customer
from .people import User
from .types import Money, UTCDateTime, utcnow

# Order states
REQUESTED, ENTERED, PARTLY_SHIPPED, SHIPPED, CANCELLED = "requested", "entered", "partly_shipped", "shipped", "cancelled"
ORDER_STATUSES = (REQUESTED, ENTERED, PARTLY_SHIPPED, SHIPPED, CANCELLED)
SHIPPABLE = (ENTERED, PARTLY_SHIPPED)

# Payment notices
REGISTERED, CONFIRMED, REFUSED = "registered", "confirmed", "refused"
PAYMENT_STATUSES = (REGISTERED, CONFIRMED, REFUSED)
PAY_TYPES = ("transfer", "draft", "cash", "other")

# Shipments and invoices (double review)
TO_CHECK, CHECKED, VOID = "to_check", "checked", "void"
REVIEW_STATUSES = (TO_CHECK, CHECKED, VOID)
DELIVERY_METHODS = ("logistics", "courier", "pickup", "own")

# Stock movements
M_RECEIPT, M_SHIPMENT, M_RETURN, M_COUNT = "receipt", "shipment", "return", "count"


class ProductStock(db.Model):
    """库存 of one sellable product. `reserved` is held by entered orders not yet shipped (and by
    replacement shipments waiting for their check): what may still be ordered is on_hand − reserved."""

    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="product_on_hand_not_negative"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="product_reserved_within_stock"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), unique=True)
    batch: Mapped[str] = mapped_column(String(60), default="")  # 批号 of the latest receipt
    packaging: Mapped[str] = mapped_column(String(60), default="")  # 包装
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship()

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class ProductMovement(db.Model):
    """One stock movement (+ receipt / return, − checked shipment, ± count difference). Never edited."""

    __table_args__ = (CheckConstraint("balance >= 0", name="product_balance_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)
    quantity: Mapped[int] = mapped_column()
    balance: Mapped[int] = mapped_column()
    batch: Mapped[str] = mapped_column(String(60), default="")
    packaging: Mapped[str] = mapped_column(String(60), default="")
    reference: Mapped[str] = mapped_column(String(60), default="")  # 入库单号 / FH-… / TH-…
    note: Mapped[str] = mapped_column(String(200), default="")
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipment.id"), index=True)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("return_request.id"), index=True)
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product: Mapped[Product] = relationship()
    by: Mapped[User] = relationship()


class StockCount(db.Model):
    """盘点: the weekly stock check, or the month-end count with finance (locked once finance confirms)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="weekly")  # weekly | month_end
    counted_on: Mapped[date] = mapped_column(index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    lines: Mapped[list] = mapped_column(JSON, default=list)  # [{product_id, book, counted, reason}]
    counted_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    counted_by: Mapped[User] = relationship(foreign_keys=[counted_by_id])
    locked_by: Mapped[User | None] = relationship(foreign_keys=[locked_by_id])


class PaymentNotice(db.Model):
    """款到通知: the customer says it paid; finance confirms it arrived and is booked (入账)."""

    __table_args__ = (CheckConstraint("amount > 0", name="payment_amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # SK-202611-0001
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)  # the customer's rep then
    region: Mapped[str] = mapped_column(String(60), default="")
    pay_type: Mapped[str] = mapped_column(String(10), default="transfer")
    bank: Mapped[str] = mapped_column(String(120), default="")
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[date] = mapped_column(index=True)
    slip_name: Mapped[str] = mapped_column(String(200), default="")  # 汇款凭证 (stored file name)
    status: Mapped[str] = mapped_column(String(12), default=REGISTERED, index=True)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_on: Mapped[date | None] = mapped_column(index=True)  # business day of the confirmation
    note: Mapped[str] = mapped_column(String(200), default="")

    customer: Mapped[Customer] = relationship()
    rep: Mapped[User] = relationship(foreign_keys=[rep_id])
    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])


class Order(db.Model):
    """订货登记, entered (制单) once the money is confirmed or the director-approved exception exists."""

    __tablename__ = "sales_order"
    # The sales figures sum entered orders over a period (status, entered_on) by customer and rep:
    # with these columns in the index the join to order_line reads no table page.
    __table_args__ = (Index("ix_sales_order_figures", "status", "entered_on", "id", "customer_id", "rep_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # DD-202611-0001
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=REQUESTED, index=True)
    delivery_method: Mapped[str] = mapped_column(String(12), default="logistics")
    requested_on: Mapped[date] = mapped_column(index=True)  # day of the 订货登记
    wanted_on: Mapped[date | None] = mapped_column()  # 要求到货日期
    consignee: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    exception_reason: Mapped[str] = mapped_column(Text, default="")  # written reason (先发货后付款 / 低于价目)
    exception_needs: Mapped[str] = mapped_column(String(60), default="")  # what the approval covers: price,unpaid
    total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment_notice.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"), index=True)  # 合同 it fulfils
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entered_on: Mapped[date | None] = mapped_column(index=True)

    customer: Mapped[Customer] = relationship()
    rep: Mapped[User] = relationship(foreign_keys=[rep_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    payment: Mapped[PaymentNotice | None] = relationship()
    contract: Mapped[Contract | None] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(order_by="OrderLine.id", cascade="all, delete-orphan",
                                                  back_populates="order")


class OrderLine(db.Model):
    __table_args__ = (
        CheckConstraint("quantity > 0", name="order_quantity_positive"),
        CheckConstraint("shipped_qty >= 0 AND shipped_qty <= quantity", name="shipped_within_order"),
        CheckConstraint("invoiced_qty >= 0 AND invoiced_qty <= shipped_qty", name="invoiced_within_shipped"),
        # The sales figures' sums by product read order lines from this index alone.
        Index("ix_order_line_figures", "order_id", "product_id", "amount", "quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    spec: Mapped[str] = mapped_column(String(120), default="")  # 型号 as ordered
    quantity: Mapped[int] = mapped_column()
    unit_price: Mapped[Decimal] = mapped_column(Money)
    list_price: Mapped[Decimal] = mapped_column(Money)  # the catalog's price when ordered
    amount: Mapped[Decimal] = mapped_column(Money)
    shipped_qty: Mapped[int] = mapped_column(default=0)  # checked shipments only
    invoiced_qty: Mapped[int] = mapped_column(default=0)  # checked invoices only
    returned_qty: Mapped[int] = mapped_column(default=0)  # returns received into the warehouse

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class OrderShortage(db.Model):
    """缺货登记: what a customer wanted beyond the stock, the date promised, reported to the supervisor."""

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    spec: Mapped[str] = mapped_column(String(120), default="")
    quantity: Mapped[int] = mapped_column()  # wanted
    available: Mapped[int] = mapped_column()
    shortfall: Mapped[int] = mapped_column()
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    promised_on: Mapped[date] = mapped_column()
    registered_on: Mapped[date] = mapped_column(index=True)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved: Mapped[bool] = mapped_column(default=False, index=True)

    product: Mapped[Product] = relationship()
    customer: Mapped[Customer] = relationship()
    rep: Mapped[User] = relationship(foreign_keys=[rep_id])
    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id])


class Shipment(db.Model):
    """发货单: from an entered order (possibly in part) or a return's exchange (换货)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # FH-202611-0001
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("return_request.id"), index=True)  # 换货
    status: Mapped[str] = mapped_column(String(10), default=TO_CHECK, index=True)
    extras: Mapped[str] = mapped_column(String(200), default="")  # 随货：样品、礼品、政策资料
    carrier: Mapped[str] = mapped_column(String(60))
    method: Mapped[str] = mapped_column(String(12))
    waybill: Mapped[str] = mapped_column(String(40))
    pieces: Mapped[int] = mapped_column()
    tracking_phone: Mapped[str] = mapped_column(String(40), default="")
    promised_on: Mapped[date | None] = mapped_column()  # 预计到货
    prepared_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_on: Mapped[date | None] = mapped_column(index=True)
    notice_due_on: Mapped[date | None] = mapped_column(index=True)  # the day after shipping
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    notified_to: Mapped[str] = mapped_column(String(120), default="")

    order: Mapped[Order] = relationship()
    prepared_by: Mapped[User] = relationship(foreign_keys=[prepared_by_id])
    checked_by: Mapped[User | None] = relationship(foreign_keys=[checked_by_id])
    notified_by: Mapped[User | None] = relationship(foreign_keys=[notified_by_id])
    lines: Mapped[list[ShipmentLine]] = relationship(order_by="ShipmentLine.id", cascade="all, delete-orphan",
                                                     back_populates="shipment")


class ShipmentLine(db.Model):
    __table_args__ = (CheckConstraint("quantity > 0", name="shipment_quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipment.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    quantity: Mapped[int] = mapped_column()

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()
    product: Mapped[Product] = relationship()


class Invoice(db.Model):
    """开票登记: requested against shipped lines; the check compares product, price and quantity."""

    # The receivables register reads the checked invoices not yet fully collected: a partial index holds
    # only those (a department's history has tens of thousands of settled invoices; the register read
    # them all, with every allocation, to find the open few).
    __table_args__ = (
        Index("ix_invoice_register", "status", "order_id", "checked_at", "amount"),
        Index("ix_invoice_open", "order_id", "checked_at", postgresql_where=text("status = 'checked' AND amount > collected"),
              sqlite_where=text("status = 'checked' AND amount > collected")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # KP-202611-0001
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=TO_CHECK, index=True)
    invoice_no: Mapped[str] = mapped_column(String(40))  # 发票号码
    content: Mapped[str] = mapped_column(String(120))  # 开票内容
    amount: Mapped[Decimal] = mapped_column(Money)
    # Confirmed allocations net of confirmed reversals (回款), kept by services/receivables.confirm in the
    # same transaction as the confirmation; receivables.verify checks it against the allocations.
    collected: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"), server_default="0")
    recipient: Mapped[str] = mapped_column(String(60))
    mail_method: Mapped[str] = mapped_column(String(12), default="courier")
    tracking_no: Mapped[str] = mapped_column(String(40), default="")
    prepared_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    month: Mapped[str | None] = mapped_column(String(7), index=True)  # month of the check
    note: Mapped[str] = mapped_column(String(200), default="")

    order: Mapped[Order] = relationship()
    prepared_by: Mapped[User] = relationship(foreign_keys=[prepared_by_id])
    checked_by: Mapped[User | None] = relationship(foreign_keys=[checked_by_id])
    lines: Mapped[list[InvoiceLine]] = relationship(order_by="InvoiceLine.id", cascade="all, delete-orphan",
                                                    back_populates="invoice")


class InvoiceLine(db.Model):
    __table_args__ = (CheckConstraint("quantity > 0", name="invoice_quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    quantity: Mapped[int] = mapped_column()
    unit_price: Mapped[Decimal] = mapped_column(Money)  # as written on the invoice
    amount: Mapped[Decimal] = mapped_column(Money)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()
    product: Mapped[Product] = relationship()


class InvoiceSummary(db.Model):
    """The month's invoicing per customer of one region: confirmed by the region's supervisor
    (区域经理) by the 5th, then reviewed by finance (财务总监审核)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    rows: Mapped[list] = mapped_column(JSON, default=list)  # [{customer, count, amount}]
    total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(12), default="to_confirm")  # to_confirm | confirmed | reviewed
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])


class MasterChange(db.Model):
    """A change of master data (授信额度 / 开票信息 of a customer, 价目 of a product) that takes effect only after a second
    person confirms it (the approval engine decides; on approval the values are applied)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), index=True)  # kind price
    kind: Mapped[str] = mapped_column(String(12))  # credit | invoicing | price
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)  # pending|applied|refused
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer | None] = relationship()
    product: Mapped[Product | None] = relationship()
    requested_by: Mapped[User] = relationship()


class ReturnOrderLink(db.Model):
    """A return request picked from an order (the typed order reference stays for history): its
    received quantities go back into stock against the order's shipped lines; an exchange (换货)
    ships replacements from it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_request.id"), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    linked_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship()
