"""The enquiry register (咨询登记): a call, web form or visitor asking about the products, routed to the
rep of the enquirer's region (or kept by the assistant) until it is taken up and becomes a customer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .customers import Customer
from .people import Region, User
from .types import UTCDateTime, utcnow

# 信息来源 (seed 002: 来店/来电客户登记表, 网上咨询; seed 004: 电话、网络、展会; seed 000: 招标信息)
LEAD_SOURCES = ("phone", "web", "exhibition", "walk_in", "referral", "cold_call", "tender", "advert", "other")
# new: waiting for its assignee; taken: being worked; converted: became a customer; closed: no business.
ENQUIRY_STATUSES = ("new", "taken", "converted", "closed")


class Enquiry(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    source: Mapped[str] = mapped_column(String(20), default="phone")
    company: Mapped[str] = mapped_column(String(120), default="")
    contact_name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(Text, default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))

    region: Mapped[Region | None] = relationship()
    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id])
    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    customer: Mapped[Customer | None] = relationship()
