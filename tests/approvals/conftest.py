"""A model-free test document type plugged into the real engine, and helpers to submit it."""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from intranet.extensions import db
from intranet.services import approvals as engine

DOC_TYPE = "testdoc"


@dataclass
class Doc:
    id: int
    owner: object
    title: str = "测试单"
    amount: Decimal | None = None
    preparers: tuple = ()
    state: str = "draft"
    events: list = field(default_factory=list)


class TestDocAdapter(engine.Adapter):
    """Docs live in a dict (per test); the hooks record what the engine told the document."""

    __test__ = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.docs: dict[int, Doc] = {}

    def load(self, doc_id):
        return self.docs[doc_id]

    def title(self, doc):
        return doc.title

    def amount(self, doc):
        return doc.amount

    def owner(self, doc):
        return doc.owner

    def preparers(self, doc):
        return [u.id for u in doc.preparers]

    def url(self, doc):
        return f"/testdoc/{doc.id}"

    def summary(self, doc):
        return [("用途", f"测试用途 {doc.id}")]

    def on_submitted(self, doc, actor):
        doc.state = "submitted"
        doc.events.append("submitted")

    def on_approved(self, doc, actor):
        doc.state = "approved"
        doc.events.append("approved")

    def on_rejected(self, doc, actor, comment):
        doc.state = "rejected"
        doc.events.append("rejected")

    def on_returned(self, doc, actor, comment):
        doc.state = "returned"
        doc.events.append("returned")

    def on_withdrawn(self, doc, actor):
        doc.state = "withdrawn"
        doc.events.append("withdrawn")


@pytest.fixture(autouse=True)
def _clean_approval_slate(request):
    """Other workflows' demo seeds submit documents too; these tests count inbox items, emails, to-dos and
    audit entries exactly, so each starts from an empty approval slate (the rest of the demo data stays)."""
    from sqlalchemy import delete

    from intranet.models import (
        ApprovalDecision,
        ApprovalReminder,
        ApprovalRequest,
        ApprovalRoute,
        AuditEntry,
        Delegation,
        Email,
        RouteStep,
        Todo,
    )

    names = [n for n in ("app", "pg_app") if n in request.fixturenames]
    if not names:
        yield
        return
    request.getfixturevalue(names[0])
    for model in (ApprovalReminder, ApprovalDecision, ApprovalRequest, Delegation, RouteStep, ApprovalRoute,
                  Todo, Email, AuditEntry):
        db.session.execute(delete(model))
    db.session.commit()
    yield


TWO_STEPS = [engine.step_dict("主管审批", "line_manager"), engine.step_dict("经理审批", "role", "manager")]


@pytest.fixture
def adapter():
    """The test type, registered with a 2-step default route: line manager, then role manager.
    (No database of its own: works with the `app` (SQLite) and `pg_app` fixtures alike.)"""
    item = engine.register(TestDocAdapter(DOC_TYPE, "测试单据", default_steps=list(TWO_STEPS)))
    yield item
    engine.ADAPTERS.pop(DOC_TYPE, None)


@pytest.fixture
def new_doc(adapter):
    """new_doc(owner, amount=None, title=..., preparers=()) → a Doc (not yet submitted)."""

    def _new(owner, **fields):
        doc_id = len(adapter.docs) + 1
        fields.setdefault("title", f"测试单 {doc_id}")
        doc = Doc(doc_id, owner, **fields)
        adapter.docs[doc_id] = doc
        return doc

    return _new


@pytest.fixture
def pg_users(pg_app):
    from intranet.models import User

    return {u.username: u for u in db.session.scalars(db.select(User))}


@pytest.fixture
def submitted(new_doc):
    """submitted(owner, **fields) → the ApprovalRequest of a freshly submitted, committed Doc."""

    def _submit(owner, **fields):
        doc = new_doc(owner, **fields)
        req = engine.submit(owner, DOC_TYPE, doc)
        db.session.commit()
        return req

    return _submit
