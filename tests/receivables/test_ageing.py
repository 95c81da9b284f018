"""Acceptance 2: the receivables and their ageing at a frozen date equal an independent computation
from the seeded rows (invoices, confirmed allocations), per invoice, customer, rep and in total;
the 30-day rule (a setting) flags what is due and overdue; each person sees their own scope."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from receivable_helpers import customer_of, invoice, receipt
from sqlalchemy import select

from intranet.clock import SHANGHAI, today_local
from intranet.extensions import db
from intranet.models import Customer, Invoice, Order, PaymentAllocation, Setting, User
from intranet.services import receivables

AGES = (0, 5, 23, 30, 31, 45, 60, 61, 90, 91, 200)


def _seed(users):
    today = today_local()
    made = {}
    for i, age in enumerate(AGES):
        rep = ("rep1", "rep2", "rep3")[i % 3]
        made[age] = invoice(users, rep=rep, qty=2 + i, checked_on=today - timedelta(days=age))
    inv = made[45]  # partly paid, confirmed
    p = receipt(users, inv.order.customer, "1000.00")
    receivables.confirm(users["finance"], receivables.allocate(users["assistant"], p, inv, Decimal("20.00")))
    p1 = receipt(users, made[91].order.customer, "10.00")
    receivables.allocate(users["assistant"], p1, made[91], Decimal("10.00"))  # pending: still owed
    full = made[61]
    p2 = receipt(users, full.order.customer, str(full.amount))
    receivables.confirm(users["finance"], receivables.allocate(users["assistant"], p2, full, full.amount))
    db.session.commit()
    return made


def _bucket(age):
    return "0_30" if age <= 30 else "31_60" if age <= 60 else "61_90" if age <= 90 else "over_90"


def _independent(asof, days=30, warn=7, reps=None):
    """From the raw rows, in Python: open = amount − confirmed allocations, age from the Shanghai date."""
    paid = defaultdict(Decimal)
    for a in db.session.scalars(select(PaymentAllocation).where(PaymentAllocation.confirmed_by_id.is_not(None))):
        paid[a.invoice_id] += a.amount
    lines = {}
    for inv in db.session.scalars(select(Invoice).where(Invoice.status == "checked")):
        customer = db.session.get(Customer, db.session.get(Order, inv.order_id).customer_id)
        if reps is not None and customer.owner_id not in reps:
            continue
        age = (asof - inv.checked_at.astimezone(SHANGHAI).date()).days
        left = inv.amount - paid[inv.id]
        if age < 0 or left <= 0:
            continue
        flag = "overdue" if age > days else "due" if age >= days - warn else "current"
        lines[inv.id] = (customer.id, customer.owner_id, left, _bucket(age), flag, age)
    return lines


def _check(report, expected):
    assert {x.invoice_id: (x.customer_id, x.rep_id, x.figures.open, x.bucket, x.flag, x.age)
            for x in report.lines} == expected
    for key, groups in ((0, report.by_customer), (1, report.by_rep)):
        want = defaultdict(lambda: defaultdict(Decimal))
        for row in expected.values():
            want[row[key]]["open"] += row[2]
            want[row[key]][row[3]] += row[2]
            want[row[key]][row[4]] += row[2]
        assert {g.key for g in groups} == set(want)
        for g in groups:
            assert g.figures.open == want[g.key]["open"]
            assert g.figures.buckets == {b: want[g.key][b] for b in receivables.BUCKETS}
            assert (g.figures.due, g.figures.overdue) == (want[g.key]["due"], want[g.key]["overdue"])
    total = sum((r[2] for r in expected.values()), Decimal("0"))
    assert report.total.open == total == sum(report.total.buckets.values())
    assert report.total.invoiced - report.total.collected == total
    assert report.total.count == len(expected)


def test_ageing_equals_an_independent_computation_at_a_frozen_date(app, users):
    made = _seed(users)
    asof = today_local()
    assert asof == date(2026, 11, 18)
    report = receivables.receivables(users["finance"], asof)
    expected = _independent(asof)
    _check(report, expected)
    lines = {x.invoice_id: x for x in report.lines}
    assert made[61].id not in lines  # paid in full
    assert lines[made[45].id].figures.open == made[45].amount - Decimal("20.00")
    assert lines[made[91].id].figures.open == made[91].amount  # the pending allocation does not count
    assert [lines[made[a].id].bucket for a in (30, 31, 60, 90, 91)] == ["0_30", "31_60", "31_60", "61_90", "over_90"]
    assert [lines[made[a].id].flag for a in (5, 23, 30, 31)] == ["current", "due", "due", "overdue"]
    assert lines[made[31].id].due_on == asof - timedelta(days=1)
    # customer credit: what the receipts hold unallocated
    c45 = next(g for g in report.by_customer if g.key == made[45].order.customer_id)
    assert c45.credit == receivables.customer_credit(c45.key)


def test_a_past_date_and_a_changed_rule(app, users):
    _seed(users)
    asof = today_local() - timedelta(days=40)
    _check(receivables.receivables(users["manager"], asof), _independent(asof))
    db.session.add(Setting(key="collection_days", value="60"))
    db.session.commit()
    report = receivables.receivables(users["manager"], today_local())
    _check(report, _independent(today_local(), days=60))
    assert report.collection_days == 60


def test_each_person_sees_their_scope(app, users):
    _seed(users)
    asof = today_local()
    rep1, sup1 = users["rep1"], users["supervisor1"]
    _check(receivables.receivables(rep1, asof), _independent(asof, reps={rep1.id}))
    team = set(db.session.scalars(select(User.id).where(User.reports_to_id == sup1.id)))
    _check(receivables.receivables(sup1, asof), _independent(asof, reps=team | {sup1.id}))
    for role in ("assistant", "gm", "director"):
        _check(receivables.receivables(users[role], asof), _independent(asof))
    only = receivables.receivables(users["finance"], asof, flag="overdue")
    assert only.lines and all(x.flag == "overdue" for x in only.lines)
    c = customer_of(users, "rep3")
    assert {x.customer_id for x in receivables.receivables(users["finance"], asof, customer_id=c.id).lines} == {c.id}
