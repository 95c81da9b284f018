"""Approval routes (data, editable), requests (one per document), decisions, delegations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import User
from .types import Money, UTCDateTime, utcnow

# Who decides a step.
ROLE, LINE_MANAGER, SECOND_LINE = "role", "line_manager", "second_line_manager"

PENDING, APPROVED, REJECTED, RETURNED, WITHDRAWN = "pending", "approved", "rejected", "returned", "withdrawn"


class ApprovalRoute(db.Model):
    """The current route of a document type; editing replaces its steps (documents keep a snapshot)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(40), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    steps: Mapped[list[RouteStep]] = relationship(order_by="RouteStep.position", cascade="all, delete-orphan")


class RouteStep(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("approval_route.id"), index=True)
    position: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(60))
    approver_kind: Mapped[str] = mapped_column(String(30), default=ROLE)
    role: Mapped[str | None] = mapped_column(String(20))
    # The step applies only when the document's amount is above this (None: always).
    min_amount: Mapped[Decimal | None] = mapped_column(Money)
    reviewers: Mapped[int] = mapped_column(default=1)  # 2 = two different people (双人复核)


class ApprovalRequest(db.Model):
    """One per document. `steps` is the route snapshot taken at first submission."""

    __table_args__ = (UniqueConstraint("doc_type", "doc_id", name="uq_approval_request_doc"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(40), index=True)
    doc_id: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    submitter_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # People who prepared or issued the thing besides the submitter: never its approvers.
    preparer_ids: Mapped[list] = mapped_column(JSON, default=list)
    steps: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    current_step: Mapped[int] = mapped_column(default=0)
    round: Mapped[int] = mapped_column(default=1)
    # Bumped on every state change; a decision names the version it saw.
    version: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    step_started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    submitter: Mapped[User] = relationship(foreign_keys=[submitter_id])
    decisions: Mapped[list[ApprovalDecision]] = relationship(
        order_by="ApprovalDecision.id", back_populates="request", cascade="all, delete-orphan")

    @property
    def step(self) -> dict | None:
        if self.status != PENDING or self.current_step >= len(self.steps):
            return None
        return self.steps[self.current_step]


class ApprovalDecision(db.Model):
    __table_args__ = (
        # A person takes an action on a step of a round once: the database refuses a second approval
        # by the same person (the submitter's submit and withdraw are two different actions).
        UniqueConstraint("request_id", "round", "step_index", "decider_id", "action",
                         name="uq_approval_decision_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_request.id"), index=True)
    round: Mapped[int] = mapped_column()
    step_index: Mapped[int] = mapped_column()
    step_name: Mapped[str] = mapped_column(String(60), default="")
    action: Mapped[str] = mapped_column(String(12))  # submit, approve, reject, return, withdraw
    decider_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[ApprovalRequest] = relationship(back_populates="decisions")
    decider: Mapped[User] = relationship(foreign_keys=[decider_id])
    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id])


class Delegation(db.Model):
    """While `delegator` is away, `delegate` may decide in their place (date range, Asia/Shanghai)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    delegator_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date] = mapped_column()
    note: Mapped[str] = mapped_column(String(200), default="")
    cancelled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    delegator: Mapped[User] = relationship(foreign_keys=[delegator_id])
    delegate: Mapped[User] = relationship(foreign_keys=[delegate_id])


class ApprovalReminder(db.Model):
    """One row per reminder occasion, so the scheduled job reminds each level exactly once."""

    __table_args__ = (UniqueConstraint("request_id", "round", "step_index", "level", name="uq_approval_reminder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_request.id"))
    round: Mapped[int] = mapped_column()
    step_index: Mapped[int] = mapped_column()
    level: Mapped[int] = mapped_column()  # 1 = the approvers, 2 = escalated one level up
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
