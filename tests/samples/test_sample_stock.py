"""The store's rules: stock moves only on a second person's check, never below zero; partial issue;
shortages; returns; bad quantities."""

import pytest
from sample_helpers import approved_request, item_fixture, stocked_item  # noqa: F401 (the item fixture)
from sqlalchemy import func, select

from intranet.extensions import db
from intranet.models import StockMovement, Todo
from intranet.services import approvals
from intranet.services import samples as svc
from intranet.services.errors import AlreadyDecided, DomainError, Forbidden


def _stock_identity(item) -> int:
    """receipts − checked issues + returns, from the movement history."""
    return db.session.scalar(select(func.coalesce(func.sum(StockMovement.quantity), 0))
                             .where(StockMovement.item_id == item.id))


def test_receipt_counts_only_after_someone_else_checks_it(app, users):
    item = stocked_item(users, quantity=0)
    doc = svc.record_receipt(users["assistant"], item, "50", batch="B2611")
    assert item.on_hand == 0
    with pytest.raises(Forbidden, match="双人复核"):
        svc.check(users["assistant"], doc)
    svc.check(users["manager"], doc)
    assert (item.on_hand, item.batch) == (50, "B2611")
    with pytest.raises(AlreadyDecided):
        svc.check(users["director"], doc)
    assert _stock_identity(item) == 50


def test_issuer_cannot_check_own_issue(app, users, item):
    doc = approved_request(users, lines=[(item, 20)])
    issue = svc.issue(users["assistant"], doc, {doc.lines[0].id: "20"})
    db.session.commit()
    with pytest.raises(Forbidden):
        svc.check(users["assistant"], issue)
    assert (item.on_hand, item.reserved, doc.lines[0].issued_qty) == (100, 20, 0)
    assert not svc.can_check(users["assistant"], issue) and svc.can_check(users["manager"], issue)
    assert issue not in svc.to_check(users["assistant"]) and issue in svc.to_check(users["manager"])
    svc.check(users["manager"], issue)
    assert (item.on_hand, item.reserved, doc.lines[0].issued_qty, doc.status) == (80, 0, 20, "issued")
    todos = db.session.scalars(select(Todo).where(Todo.key.startswith(f"sample-check:{issue.id}:"))).all()
    assert todos and all(t.done for t in todos)  # the check is done: it leaves the checkers' desks


def test_partial_issue_then_the_rest_is_fully_issued_and_registered_twice(app, users, item):
    doc = approved_request(users, lines=[(item, 30)])
    line = doc.lines[0]
    first = svc.issue(users["assistant"], doc, {line.id: "12"})
    db.session.commit()
    with pytest.raises(svc.InputErrors) as exc:  # 12 are already promised: only 18 remain
        svc.issue(users["assistant"], doc, {line.id: "19"})
    assert "18" in str(exc.value.errors[f"line_{line.id}"])
    db.session.rollback()
    svc.check(users["manager"], first)
    assert doc.status == "partly_issued"
    second = svc.issue(users["assistant"], doc, {line.id: "18"})
    svc.check(users["director"], second)
    db.session.commit()
    assert doc.status == "issued" and line.issued_qty == 30 and item.on_hand == 70
    rows = svc.register_rows(users["manager"], first.month)
    mine = [(d.number, ln.quantity) for d, ln in rows if d.request_id == doc.id]
    assert mine == [(first.number, 12), (second.number, 18)]
    assert [m.quantity for m in svc.movements(item)][:2] == [-18, -12]
    with pytest.raises(DomainError):  # nothing left to issue
        svc.issue(users["assistant"], doc, {line.id: "1"})


def test_beyond_stock_is_refused_naming_the_shortfall_and_can_be_registered(app, users):
    item = stocked_item(users, code="T-MP", quantity=5)
    doc = approved_request(users, lines=[(item, 8)])
    with pytest.raises(svc.InputErrors) as exc:
        svc.issue(users["assistant"], doc, {doc.lines[0].id: "8"})
    message = str(exc.value.errors[f"line_{doc.lines[0].id}"])
    assert "库存不足" in message and "缺 3" in message
    db.session.rollback()
    assert item.reserved == 0
    rows = svc.register_shortage(users["assistant"], doc)
    db.session.commit()
    assert [(r.wanted, r.available, r.shortfall) for r in rows] == [(8, 5, 3)]
    boss = users["supervisor1"]
    assert db.session.scalar(select(Todo).where(Todo.user_id == boss.id, Todo.key == f"sample-shortage:{rows[0].id}"))
    assert list(db.session.scalars(svc.shortages_query(users["rep2"]))) == []  # not rep2's
    assert len(list(db.session.scalars(svc.shortages_query(boss)))) == 1


def test_return_to_store_is_checked_then_stock_goes_up(app, users, item):
    doc = approved_request(users, lines=[(item, 10)])
    svc.check(users["manager"], svc.issue(users["assistant"], doc, {doc.lines[0].id: "10"}))
    db.session.commit()
    def loaned():
        return [r["quantity"] for r in svc.on_loan(users["rep1"]) if r["item"].id == item.id]

    assert loaned() == [10]
    with pytest.raises(svc.InputErrors):
        svc.return_to_store(users["assistant"], doc, {doc.lines[0].id: "11"})
    db.session.rollback()
    back = svc.return_to_store(users["assistant"], doc, {doc.lines[0].id: "4"})
    assert item.on_hand == 90
    svc.check(users["manager"], back)
    assert (item.on_hand, doc.lines[0].returned_qty) == (94, 4)
    assert loaned() == [6]
    assert _stock_identity(item) == item.on_hand == 100 - 10 + 4


def test_cancelled_issue_releases_its_reservation(app, users, item):
    doc = approved_request(users, lines=[(item, 60)])
    issue = svc.issue(users["assistant"], doc, {doc.lines[0].id: "60"})
    assert item.available == 40
    svc.cancel(users["manager"], issue, "数量点错")
    assert (item.available, item.on_hand, issue.status) == (100, 100, "cancelled")
    with pytest.raises(AlreadyDecided):
        svc.check(users["manager"], issue)


@pytest.mark.parametrize("typed, message", [("0", "大于零"), ("-5", "正整数"), ("1e9", "正整数"), ("1000000000", "过大"),
                                            ("2.5", "正整数"), ("", "请填写数量")])
def test_bad_quantities_are_refused_next_to_the_field(app, users, item, typed, message):
    with pytest.raises(svc.InputErrors) as exc:
        svc.create_request(users["rep1"], {"customer_id": None, "planned_visit_id": None, "purpose": "x"},
                           [svc.LineInput(item.id, typed, row=0)])
    if typed:
        assert message in str(exc.value.errors["lines-0-quantity"])
    with pytest.raises(DomainError, match=message):
        svc.record_receipt(users["assistant"], item, typed)


def test_value_above_the_threshold_also_needs_the_manager(app, users):
    dear = stocked_item(users, code="T-YP", quantity=20, cost="260.00")
    doc = approved_request(users, lines=[(dear, 5)])  # ¥1,300.00 > ¥1,000.00
    req = svc.approval_request(doc)
    assert [d.decider.username for d in req.decisions if d.action == "approve"] == ["supervisor1", "manager"]
    cheap = approved_request(users, lines=[(dear, 1)])
    assert len(svc.approval_request(cheap).steps) == 1


def test_only_the_rep_submits_and_four_eyes_on_approval(app, users, item):
    with pytest.raises(svc.InputErrors) as exc:  # a request names a customer or a visit
        svc.create_request(users["rep1"], {"purpose": "展会"}, [svc.LineInput(item.id, "3")])
    assert "customer_id" in exc.value.errors
    db.session.rollback()
    doc = approved_request(users, rep="rep3", lines=[(item, 2)])
    assert doc.status == "approved"
    with pytest.raises(Forbidden):
        svc.submit(users["rep1"], doc)
    assert approvals.request_for(svc.DOC_TYPE, doc.id).decisions[-1].decider.username == "supervisor2"
