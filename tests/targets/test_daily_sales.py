"""The day's sales per rep to finance: nothing before the set time or on a day off; then one email per
finance user, once however often the job runs; each rep's day and month figures equal an independent
computation over the seeded rows."""

from datetime import date, datetime
from decimal import Decimal

from sales_seed import FROZEN, expected, facts, seed_sales
from sqlalchemy import select

from intranet.clock import SHANGHAI
from intranet.extensions import db
from intranet.jobs.targets import send_daily_sales
from intranet.models import Email, User
from intranet.services import daily_sales


def _at(day: date, hour: int, minute: int) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).isoformat()


def test_sent_once_after_the_set_time_with_each_reps_figures(users):
    seed_sales(users)
    db.session.commit()
    assert send_daily_sales(_at(FROZEN, 16, 59)) == 0
    assert send_daily_sales(_at(date(2026, 11, 21), 18, 0)) == 0  # a Saturday
    finance = list(db.session.scalars(select(User).where(User.role == "finance", User.active)))
    assert send_daily_sales(_at(FROZEN, 17, 1)) == len(finance) >= 1
    assert send_daily_sales(_at(FROZEN, 17, 16)) == 0
    mails = list(db.session.scalars(select(Email).where(Email.key.startswith(f"daily-sales:{FROZEN}:"))))
    assert sorted(m.to_addr for m in mails) == sorted(u.email for u in finance)

    rows = facts("entered")
    day, month = expected(rows, FROZEN, FROZEN, "rep"), expected(rows, FROZEN.replace(day=1), FROZEN, "rep")
    body = mails[0].body
    assert "销售口径" in body
    for rep in db.session.scalars(select(User).where(User.role == "rep", User.active)):
        amount, quantity = day.get(rep.id, (Decimal("0.00"), 0))
        m_amount, m_quantity = month.get(rep.id, (Decimal("0.00"), 0))
        line = next(ln for ln in body.splitlines() if ln.startswith(f"{rep.name}（"))
        assert f"当日 ¥{amount:,.2f}（{quantity}）" in line and f"本月 ¥{m_amount:,.2f}（{m_quantity}）" in line, line
    total = sum((v[0] for v in month.values()), Decimal("0.00"))
    assert f"本月 ¥{total:,.2f}" in body.splitlines()[-1]


def test_compose_names_the_day_in_the_subject(users):
    subject, _body = daily_sales.compose(FROZEN)
    assert subject == "2026-11-18 业务员销售业绩日报"
