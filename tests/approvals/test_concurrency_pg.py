"""Acceptance 3: 20 simultaneous approve requests at one step on PostgreSQL → exactly one decision."""

import threading

import pytest
from sqlalchemy import func, select

from intranet.extensions import db
from intranet.models import ApprovalDecision, ApprovalRequest, AuditEntry, User
from intranet.services import approvals as engine
from intranet.services.audit import verify

from .conftest import DOC_TYPE, Doc, TestDocAdapter

THREADS = 20


@pytest.fixture
def pg_adapter(pg_app):
    item = engine.register(TestDocAdapter(DOC_TYPE, "测试单据", default_steps=[
        engine.step_dict("经理审批", "role", "manager")]))
    yield item
    engine.ADAPTERS.pop(DOC_TYPE, None)


def _managers(count: int) -> list[User]:
    """`count` more users of role manager (same password hash as the demo accounts: demo123)."""
    demo = db.session.scalar(select(User).where(User.username == "manager"))
    people = [User(username=f"mgr{i:02d}", name=f"经理{i:02d}", email=f"mgr{i:02d}@test.local", role="manager",
                   password_hash=demo.password_hash, reports_to_id=demo.reports_to_id) for i in range(count)]
    db.session.add_all(people)
    db.session.commit()
    return people


def _fire(app, usernames: list[str], request_id: int) -> list:
    """One logged-in test client per thread; all POST at the same moment (each request has its own
    app context and session, so its own database connection and transaction)."""
    clients = []
    for name in usernames:
        c = app.test_client()
        assert c.post("/login", data={"username": name, "password": "demo123"}).status_code == 303
        clients.append(c)
    barrier = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def run(i):
        barrier.wait()
        r = clients[i].post(f"/approvals/{request_id}/decide", headers={"HX-Request": "true"},
                            data={"action": "approve", "step_index": 0, "round": 1})
        results[i] = (r.status_code, r.get_data(as_text=True))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.postgres
@pytest.mark.parametrize("same_person", [False, True], ids=["20-managers", "one-manager-20-tabs"])
def test_twenty_concurrent_approvals_make_exactly_one_decision(pg_app, pg_adapter, same_person):
    rep1 = db.session.scalar(select(User).where(User.username == "rep1"))
    managers = _managers(0 if same_person else THREADS)
    doc = Doc(1, rep1, title="并发测试单")
    pg_adapter.docs[1] = doc
    req = engine.submit(rep1, DOC_TYPE, doc)
    db.session.commit()
    request_id = req.id

    names = ["manager"] * THREADS if same_person else [m.username for m in managers]
    results = _fire(pg_app, names, request_id)

    assert all(r is not None for r in results), "a request did not finish"
    winners = [r for r in results if r[0] == 200]
    losers = [r for r in results if r[0] != 200]
    assert len(winners) == 1 and "已通过" in winners[0][1]
    assert len(losers) == THREADS - 1
    assert all(status == 409 and "已被他人处理" in body for status, body in losers)

    db.session.expire_all()
    req = db.session.get(ApprovalRequest, request_id)
    assert req.status == "approved" and doc.events == ["submitted", "approved"]
    approvals = db.session.scalar(select(func.count(ApprovalDecision.id)).where(
        ApprovalDecision.request_id == request_id, ApprovalDecision.action == "approve"))
    assert approvals == 1
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "approval.approve")) == 1
    assert verify() is None
