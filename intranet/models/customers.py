"""Customer archive (客户档案): customers, contacts, certificates, the interaction log."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import Region, User
from .search_keys import PinyinName
from .types import Money, UTCDateTime, utcnow

KINDS = ("distributor", "agent", "commercial", "end_user")
STAGES = ("potential", "intended", "active", "dormant")
INTERACTION_KINDS = ("call", "visit", "feedback", "complaint")


class Customer(PinyinName, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="distributor")
    stage: Mapped[str] = mapped_column(String(20), default="potential")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # 开票信息
    tax_id: Mapped[str] = mapped_column(String(40), default="")
    bank: Mapped[str] = mapped_column(String(120), default="")
    account: Mapped[str] = mapped_column(String(60), default="")
    invoice_address: Mapped[str] = mapped_column(String(200), default="")
    credit_limit: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    notes: Mapped[str] = mapped_column(Text, default="")
    lead_source: Mapped[str] = mapped_column(String(20), default="")  # 信息来源 (models.enquiries.LEAD_SOURCES)
    callback_interval_days: Mapped[int] = mapped_column(default=30)
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region: Mapped[Region | None] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    contacts: Mapped[list[Contact]] = relationship(order_by="Contact.id", cascade="all, delete-orphan",
                                                   back_populates="customer")
    certificates: Mapped[list[Certificate]] = relationship(order_by="Certificate.expires_on",
                                                           cascade="all, delete-orphan", back_populates="customer")


class Contact(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    birthday: Mapped[date | None] = mapped_column()
    customer: Mapped[Customer] = relationship(back_populates="contacts")


class Certificate(db.Model):
    """证照、证书: business licence and other certificates with an expiry date."""

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    number: Mapped[str] = mapped_column(String(80), default="")
    expires_on: Mapped[date | None] = mapped_column(index=True)
    scan_name: Mapped[str] = mapped_column(String(200), default="")  # 扫描件 (stored file name)
    customer: Mapped[Customer] = relationship(back_populates="certificates")
    checks: Mapped[list[CertificateCheck]] = relationship(order_by="CertificateCheck.id.desc()",
                                                          cascade="all, delete-orphan", back_populates="certificate")


class Interaction(db.Model):
    """A call, visit, feedback or complaint (投诉: assigned, with a deadline, resolved)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    deadline: Mapped[date | None] = mapped_column()
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer: Mapped[Customer] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])


CHECK_RESULTS = ("valid", "invalid")


class CertificateCheck(db.Model):
    """证照查验: who checked a certificate against its scan, when, and where (e.g. 国家企业信用信息公示系统)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id"), index=True)
    checked_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_on: Mapped[date] = mapped_column()
    checked_where: Mapped[str] = mapped_column(String(120))
    result: Mapped[str] = mapped_column(String(10), default="valid")  # valid | invalid
    note: Mapped[str] = mapped_column(String(200), default="")

    certificate: Mapped[Certificate] = relationship(back_populates="checks")
    checked_by: Mapped[User] = relationship()
