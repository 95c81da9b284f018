"""What the performance sheet (《合同履行一览表》, SPEC 2.10) needs beyond the records that already exist:
production/delivery follow-up notes (生产/交货跟踪), acceptance (验收) and the documents handed over with the
goods (随货资料: 说明书、合格证、检测报告 …). Orders, shipments, invoices and payments are never typed here —
the sheet reads them from their own tables.

Append-only: an entry is never edited or deleted; a wrong one gets a cancelling entry (撤销) that points to it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .contracts import Contract
from .people import User
from .types import UTCDateTime, utcnow

FOLLOW_UP, ACCEPTANCE, DOCUMENT, CANCEL = "follow_up", "acceptance", "document", "cancel"
EVENT_KINDS = (FOLLOW_UP, ACCEPTANCE, DOCUMENT, CANCEL)
DOCUMENT_TYPES = ("manual", "certificate", "test_report", "other")  # 说明书 / 合格证 / 检测报告 / 其他


class ContractEvent(db.Model):
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in EVENT_KINDS)})", name="contract_event_kind_known"),
        CheckConstraint("(kind = 'cancel') = (cancels_id IS NOT NULL)", name="contract_event_cancel_points_back"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    happened_on: Mapped[date] = mapped_column(Date, index=True)
    document_type: Mapped[str] = mapped_column(String(20), default="")  # kind document only
    note: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("receipt.id"))  # optional scan (kind document)
    cancels_id: Mapped[int | None] = mapped_column(ForeignKey("contract_event.id"), unique=True)
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contract: Mapped[Contract] = relationship()
    by: Mapped[User] = relationship()
    cancels: Mapped[ContractEvent | None] = relationship(remote_side=[id], foreign_keys=[cancels_id])
