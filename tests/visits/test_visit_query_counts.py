"""List pages and the plan-vs-actual table run a bounded number of queries, whatever the row count."""

from datetime import date

from sqlalchemy import event
from visit_helpers import approved_plan, clear_demo_visits

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
