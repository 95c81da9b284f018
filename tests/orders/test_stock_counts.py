"""Stock checks (盘点): the weekly check and the month-end count with finance. A difference without
its explanation is refused; an explained one is booked as a count movement (stock = receipts −
shipments + returns + count differences); finance locks the month-end count, after which it
cannot be changed or taken again for that month."""

import pytest
from order_helpers import product, receive
from sqlalchemy import select

from intranet.extensions import db
from intranet.models.orders import M_COUNT, ProductMovement, ProductStock, StockCount
from intranet.services import stock
from intranet.services.errors import AlreadyDecided, DomainError, Forbidden
from intranet.services.samples import InputErrors


def _counts():
    return db.session.scalar(select(db.func.count(StockCount.id)))


def _on_hand(code):
    return db.session.scalar(select(ProductStock.on_hand).where(ProductStock.product_id == product(code).id))


def test_a_difference_without_explanation_is_refused(app, users):
    receive(users, "SOFT-2", 5)
    pid, before = product("SOFT-2").id, _counts()
    with pytest.raises(InputErrors) as refused:
        stock.record_count(users["assistant"], "weekly", {pid: "4"}, {})
    assert f"reason_{pid}" in refused.value.errors and "账面 5，实盘 4" in str(refused.value.errors[f"reason_{pid}"])
    db.session.rollback()
    assert _on_hand("SOFT-2") == 5 and _counts() == before


def test_an_explained_difference_is_booked(app, users):
    receive(users, "SOFT-2", 5)
    pid = product("SOFT-2").id
    count = stock.record_count(users["assistant"], "weekly", {pid: "4"}, {pid: "包装破损报废 1 台"})
    db.session.commit()
    assert count.lines == [{"product_id": pid, "book": 5, "counted": 4, "reason": "包装破损报废 1 台"}]
    assert _on_hand("SOFT-2") == 4
    move = db.session.scalar(select(ProductMovement).where(ProductMovement.kind == M_COUNT))
    assert (move.quantity, move.balance, move.note) == (-1, 4, "包装破损报废 1 台")
    totals = stock.totals(pid)
    assert _on_hand("SOFT-2") == totals["receipt"] + totals["count"] == 5 - 1
    again = stock.record_count(users["assistant"], "weekly", {pid: "4"}, {})  # matches the book: no reason needed
    db.session.commit()
    assert stock.differences(again) == 0 and _on_hand("SOFT-2") == 4


def test_only_the_desk_counts_and_blank_rows_are_skipped(app, users):
    receive(users, "SOFT-2", 2)
    with pytest.raises(Forbidden):
        stock.record_count(users["rep3"], "weekly", {product("SOFT-2").id: "2"}, {})
    with pytest.raises(DomainError, match="至少填写"):
        stock.record_count(users["assistant"], "weekly", {product("SOFT-2").id: " "}, {})


def test_a_locked_month_end_count_cannot_be_changed(app, users):
    receive(users, "SOFT-2", 5)
    pid, before = product("SOFT-2").id, _counts()
    count = stock.record_count(users["assistant"], "month_end", {pid: "5"}, {})
    db.session.commit()
    with pytest.raises(Forbidden):
        stock.lock_count(users["assistant"], count)  # finance confirms, not the one who counted
    stock.lock_count(users["finance"], count)
    db.session.commit()
    assert count.locked_by_id == users["finance"].id and count.locked_at is not None
    with pytest.raises(AlreadyDecided):
        stock.lock_count(users["finance"], count)
    db.session.rollback()
    with pytest.raises(DomainError, match="已由财务锁定"):
        stock.record_count(users["assistant"], "month_end", {pid: "3"}, {pid: "改数"})
    db.session.rollback()
    assert _on_hand("SOFT-2") == 5 and _counts() == before + 1
    weekly = stock.record_count(users["assistant"], "weekly", {pid: "5"}, {})
    with pytest.raises(DomainError, match="只有月末盘点"):
        stock.lock_count(users["finance"], weekly)


def test_stock_count_through_the_web(app, users, login):
    receive(users, "SOFT-2", 5)
    pid = product("SOFT-2").id
    desk, before = login("assistant"), _counts()
    assert desk.get("/orders/stock/counts/new").status_code == 200
    refused = desk.post("/orders/stock/counts/new", data={"kind": "month_end", f"count_{pid}": "3"})
    assert refused.status_code == 200 and "请说明差异原因" in refused.text
    assert _counts() == before
    done = desk.post("/orders/stock/counts/new", data={"kind": "month_end", f"count_{pid}": "3",
                                                       f"reason_{pid}": "借给展会 2 台"})
    assert done.status_code == 303
    count = db.session.scalar(select(StockCount).order_by(StockCount.id.desc()).limit(1))
    assert done.headers["Location"].endswith(f"/orders/stock/counts/{count.id}")
    page = desk.get(f"/orders/stock/counts/{count.id}")
    assert "借给展会 2 台" in page.text and "-2" in page.text and 'id="lock-count"' not in page.text
    assert desk.post(f"/orders/stock/counts/{count.id}/lock").status_code == 403
    fin = login("finance")
    assert 'id="lock-count"' in fin.get(f"/orders/stock/counts/{count.id}").text
    assert fin.post(f"/orders/stock/counts/{count.id}/lock").status_code == 303
    db.session.expire_all()
    assert db.session.get(StockCount, count.id).locked_by_id == users["finance"].id
    assert 'id="lock-count"' not in fin.get(f"/orders/stock/counts/{count.id}").text
    listing = fin.get("/orders/stock/counts", headers={"HX-Request": "true"})
    assert "<html" not in listing.text and users["finance"].name in listing.text
