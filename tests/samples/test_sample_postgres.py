"""Acceptance 1 on PostgreSQL: ten approved requests issued at the same moment against stock that
covers six; exactly six succeed, the others are told the shortfall; checked concurrently too; stock
equals receipts − checked issues + returns, and never went below zero."""


import pytest
from race import race
from sample_helpers import approved_request, stocked_item
from sqlalchemy import func, select

from intranet.extensions import db
from intranet.models import SampleItem, SampleRequest, StockDoc, StockMovement, User
from intranet.services import audit
from intranet.services import samples as svc

pytestmark = pytest.mark.postgres


def test_concurrent_issues_only_the_coverable_succeed(pg_app):
    users = {u.username: u for u in db.session.scalars(select(User))}
    item = stocked_item(users, code="PG-CY", quantity=100)
    reps = ["rep1", "rep2", "rep3", "rep4"]
    docs = [approved_request(users, rep=reps[i % 4], lines=[(item, 15)]) for i in range(10)]
    ids = {"item": item.id, "docs": [d.id for d in docs], "assistant": users["assistant"].id}

    def issue(i):
        doc = db.session.get(SampleRequest, ids["docs"][i])
        assistant = db.session.get(User, ids["assistant"])
        return f"ok {svc.issue(assistant, doc, {doc.lines[0].id: '15'}).id}"

    results = race(pg_app, 10, issue)
    assert len(results) == 10
    ok = [r for r in results if r.startswith("ok")]
    assert len(ok) == 6, results
    assert all(r.startswith("ok") or "库存不足" in r for r in results), results
    db.session.expire_all()
    item = db.session.get(SampleItem, ids["item"])
    assert (item.on_hand, item.reserved) == (100, 90)

    checkers = [users["manager"].id, users["director"].id]
    issue_ids = [int(r.split()[1]) for r in ok]

    def check(i):
        doc = db.session.get(StockDoc, issue_ids[i])
        svc.check(db.session.get(User, checkers[i % 2]), doc)
        return "ok"

    assert race(pg_app, 6, check) == ["ok"] * 6
    db.session.expire_all()
    item = db.session.get(SampleItem, ids["item"])
    assert (item.on_hand, item.reserved) == (10, 0)

    returned = db.session.get(StockDoc, issue_ids[0]).request
    back = svc.return_to_store(users["assistant"], returned, {returned.lines[0].id: "5"})
    svc.check(users["manager"], back)
    db.session.commit()
    db.session.expire_all()
    item = db.session.get(SampleItem, ids["item"])
    moves = list(db.session.scalars(select(StockMovement).where(StockMovement.item_id == item.id)
                                    .order_by(StockMovement.id)))
    receipts = sum(m.quantity for m in moves if m.kind == "receipt")
    issued = -sum(m.quantity for m in moves if m.kind == "issue")
    returns = sum(m.quantity for m in moves if m.kind == "return")
    assert (receipts, issued, returns) == (100, 90, 5)
    assert item.on_hand == receipts - issued + returns == 15
    assert all(m.balance >= 0 for m in moves)
    assert [m.balance for m in moves][-1] == 15
    statuses = db.session.scalars(select(SampleRequest.status).where(SampleRequest.id.in_(ids["docs"])))
    assert sorted(statuses) == ["approved"] * 4 + ["issued"] * 6
    assert audit.verify() is None


def test_the_database_refuses_negative_stock(pg_app):
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    users = {u.username: u for u in db.session.scalars(select(User))}
    item = stocked_item(users, code="PG-NEG", quantity=3)
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE sample_item SET on_hand = -1 WHERE id = :id"), {"id": item.id})
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) > 0
