"""Acceptance 5 on PostgreSQL: ten paid orders entered at the same moment against stock covering six;
exactly six are entered (the others refused: no empty order); their shipments checked at the same
moment; stock never negative and equal to receipts − checked shipments (+ returns)."""


import pytest
from order_helpers import paid, product, receive, requested
from race import race
from sqlalchemy import func, select

from intranet.extensions import db
from intranet.models import Order, User
from intranet.models.orders import PaymentNotice, ProductMovement, ProductStock, Shipment, StockCount
from intranet.services import audit, orders, shipments, stock

pytestmark = pytest.mark.postgres


def test_concurrent_entries_and_shipments_never_drive_stock_negative(pg_app):
    users = {u.username: u for u in db.session.scalars(select(User))}
    pid = product("SOFT-2").id
    receive(users, "SOFT-2", 60)
    ids = []
    for i in range(10):
        order = requested(users, qty=10, rep=("rep3", "rep4", "rep1", "rep2")[i % 4])
        ids.append((order.id, paid(users, order).id))
    assistant_id = users["assistant"].id

    def enter(i):
        order = db.session.get(Order, ids[i][0])
        orders.enter(db.session.get(User, assistant_id), order, db.session.get(PaymentNotice, ids[i][1]))
        return "ok"

    results = race(pg_app, 10, enter)
    assert results.count("ok") == 6, results
    assert all(r == "ok" or "不得制做空单" in r for r in results), results
    db.session.expire_all()
    row = db.session.scalar(select(ProductStock).where(ProductStock.product_id == pid))
    assert (row.on_hand, row.reserved) == (60, 60)

    entered = [o for o in db.session.scalars(select(Order).where(Order.id.in_([o for o, _ in ids]), Order.status == "entered"))]
    ships = [shipments.prepare(users["assistant"], o, {o.lines[0].id: "10"},
                               {"carrier": "德邦", "method": "logistics", "waybill": f"W{o.id}", "pieces": "1"}).id
             for o in entered]
    db.session.commit()
    checkers = [users["manager"].id, users["director"].id]

    def check(i):
        shipments.check(db.session.get(User, checkers[i % 2]), db.session.get(Shipment, ships[i]))
        return "ok"

    assert race(pg_app, 6, check) == ["ok"] * 6

    def recheck(i):
        shipments.check(db.session.get(User, checkers[i % 2]), db.session.get(Shipment, ships[0]))
        return "ok"

    again = race(pg_app, 2, recheck)
    assert "ok" not in again, again  # a checked shipment is never checked twice
    db.session.expire_all()
    row = db.session.scalar(select(ProductStock).where(ProductStock.product_id == pid))
    assert (row.on_hand, row.reserved) == (0, 0)
    receive(users, "SOFT-2", 5)
    moves = list(db.session.scalars(select(ProductMovement).where(ProductMovement.product_id == pid)))
    assert all(m.balance >= 0 for m in moves)
    totals = stock.totals(pid)
    db.session.expire_all()
    row = db.session.scalar(select(ProductStock).where(ProductStock.product_id == pid))
    assert row.on_hand == totals["receipt"] + totals["shipment"] + totals.get("return", 0) == 5
    assert audit.verify() is None


def test_the_database_refuses_negative_product_stock(pg_app):
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    users = {u.username: u for u in db.session.scalars(select(User))}
    receive(users, "SOFT-2", 2)
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE product_stock SET on_hand = -1 WHERE product_id = :id"),
                           {"id": product("SOFT-2").id})
    db.session.rollback()


def test_two_orders_racing_for_one_payment_use_it_once(pg_app):
    users = {u.username: u for u in db.session.scalars(select(User))}
    receive(users, "SOFT-2", 10)
    first, second = requested(users, qty=1), requested(users, qty=1)
    note = paid(users, first)
    ids = [first.id, second.id]

    def enter(i):
        orders.enter(db.session.get(User, users["assistant"].id), db.session.get(Order, ids[i]),
                     db.session.get(PaymentNotice, note.id))
        return "ok"

    results = race(pg_app, 2, enter)
    assert results.count("ok") == 1 and any("余额" in r for r in results), results


def test_the_month_end_count_is_locked_once_and_never_recounted_after(pg_app):
    """Finance locking two month-end counts of the same month at once (two sessions) locks exactly one;
    after it, recounts at the same moment are all refused and stock stays as the locked count left it."""
    users = {u.username: u for u in db.session.scalars(select(User))}
    pid = product("SOFT-2").id
    receive(users, "SOFT-2", 8)
    before = db.session.scalar(select(func.count(StockCount.id)))
    first = stock.record_count(users["assistant"], "month_end", {pid: "8"}, {})
    second = stock.record_count(users["assistant"], "month_end", {pid: "7"}, {pid: "破损一件"})
    db.session.commit()
    ids, finance_id, assistant_id = (first.id, second.id), users["finance"].id, users["assistant"].id

    def lock(i):
        stock.lock_count(db.session.get(User, finance_id), db.session.get(StockCount, ids[i]))
        return "ok"

    results = race(pg_app, 2, lock)
    assert results.count("ok") == 1 and any("已由财务锁定" in r for r in results), results
    db.session.expire_all()
    assert db.session.scalar(select(func.count(StockCount.id)).where(StockCount.id.in_(ids),
                                                                    StockCount.locked_at.is_not(None))) == 1

    def recount(i):
        stock.record_count(db.session.get(User, assistant_id), "month_end", {pid: "6"}, {pid: "又少一件"})
        return "ok"

    refused = race(pg_app, 2, recount)
    assert all("已由财务锁定" in r for r in refused), refused
    db.session.expire_all()
    on_hand = db.session.scalar(select(ProductStock.on_hand).where(ProductStock.product_id == pid))
    assert on_hand == 7 and db.session.scalar(select(func.count(StockCount.id))) == before + 2
