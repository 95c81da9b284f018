"""List pages and the plan-vs-actual table run a bounded number of queries, whatever the row count."""

from datetime import date
from decimal import Decimal

from sqlalchemy import event
from visit_helpers import approved_plan, clear_demo_visits, customer_of

from intranet.extensions import db
from intranet.services import customers as customer_rules
from intranet.services import visits as svc


class Counter:
    def __init__(self):
        self.n = 0

    def __call__(self, *args):
        self.n += 1


def _queries(client, url) -> int:
    counter = Counter()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return counter.n


def _data(users, usernames, start):
    for n in range(15):
        for username in usernames:
            customer_rules.create(users[username], name=f"计数客户{username}-{start + n}")
    for username in usernames:
        plan = approved_plan(users, username, days=tuple(date(2026, 11, d) for d in (2, 4, 6, 8, 10)))
        for row in plan.visits[:3]:
            svc.file_report(users[username], outcome="x", planned_visit=row)
    db.session.commit()


def test_lists_do_not_grow_with_rows(app, users, login):
    clear_demo_visits()
    c = login("manager")
    urls = ("/customers/", "/visits/plans", "/visits/reports", "/visits/stats?month=2026-11")
    _data(users, ("rep1", "rep3"), 0)
    before = {u: _queries(c, u) for u in urls}
    _data(users, ("rep2", "rep4"), 100)
    after = {u: _queries(c, u) for u in urls}
    assert after == before
    assert max(after.values()) <= 12, after


def test_the_plans_waiting_card_counts_visits_in_sql_whatever_the_plans(app, users):
    """The supervisor's 待审核的拜访计划: each submitted plan of the team with its number of visits, in one
    the same statements for two plans or six (no plan's rep or visits read one by one)."""
    from sqlalchemy import func, select

    from intranet.models import PlannedVisit, User, VisitPlan

    def submitted_counts():
        team = select(User.id).where(User.reports_to_id == users["supervisor1"].id)
        rows = db.session.execute(select(VisitPlan.id, func.count(PlannedVisit.id)).outerjoin(PlannedVisit)
                                  .where(VisitPlan.status == "submitted", VisitPlan.rep_id.in_(team))
                                  .group_by(VisitPlan.id))
        return dict(rows.all())

    def measured():
        db.session.expire_all()
        counter = Counter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            items = svc.plans_waiting(users["supervisor1"])
            names = [plan.rep.name for plan, _ in items]
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
        assert {plan.id: n for plan, n in items} == submitted_counts() and len(names) == len(items)
        return counter.n, len(items)

    few = measured()
    for username in ("rep1", "rep2"):
        for month, visits in (("2027-01", 1), ("2027-02", 3)):
            plan = svc.create_plan(users[username], month)
            for day in range(visits):
                svc.add_visit(users[username], plan, customer_of(username).id, date(int(month[:4]), int(month[5:]), 4 + day),
                              Decimal("2"), "客户维护")
            svc.submit_plan(users[username], plan)
    db.session.commit()
    many = measured()
    assert few[0] == many[0] <= 2 and many[1] == few[1] + 4  # (the scope, then the plans)
