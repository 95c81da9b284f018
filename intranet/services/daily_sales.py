"""The day's sales per rep for finance (SPEC 2.11: 每日业务员销售业绩报财务).

On a working day, once `daily_sales_at` has passed, every active finance user gets one email with each
rep's sales of the day and of the month so far (amount, quantity, the month's target, achievement),
on the configured sales basis. One outbox key per recipient and day, so two ticks or two workers send
it once. The figures are sales_figures' own; nothing is summed here."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import select

from ..clock import is_workday, now_local
from ..extensions import db
from ..models import User
from . import notify, sales_figures, settings


def _line(row_day, row_month) -> str:
    reached = row_month.achievement
    return (f"{row_month.name}（{row_month.team or '—'}）：当日 ¥{row_day.amount:,.2f}（{row_day.quantity}）"
            f"　本月 ¥{row_month.amount:,.2f}（{row_month.quantity}）"
            f"　本月目标 {f'¥{row_month.target:,.2f}' if row_month.target else '—'}"
            f"　达成率 {f'{reached}%' if reached is not None else '—'}")


def compose(day) -> tuple[str, str]:
    """The subject and plain-text body for `day` (the department's own Chinese)."""
    day_rows = {r.key: r for r in sales_figures.rep_rows(sales_figures.SYSTEM, sales_figures.period("day", day))}
    month_rows = sales_figures.rep_rows(sales_figures.SYSTEM, sales_figures.period("month", day))
    whole_day = sales_figures.total(sales_figures.SYSTEM, sales_figures.period("day", day))
    whole_month = sales_figures.total(sales_figures.SYSTEM, sales_figures.period("month", day))
    with force_locale("zh_CN"):
        basis = sales_figures.basis_label()
        subject = f"{day:%Y-%m-%d} 业务员销售业绩日报"
        lines = [f"{subject}（销售口径：{basis}）", "",
                 *(_line(day_rows.get(r.key) or sales_figures.Row(r.key, r.name), r) for r in sorted(month_rows, key=lambda r: (r.team, r.name))),
                 "", f"合计：当日 ¥{whole_day.amount:,.2f}（{whole_day.quantity}）"
                     f"　本月 ¥{whole_month.amount:,.2f}（{whole_month.quantity}）"]
    return subject, "\n".join(lines)


def send_due(now: datetime | None = None) -> int:
    """Emails written (0 on a day off, before the set time, or when already sent today)."""
    now = now or now_local()
    day = now.date()
    at = settings.get("daily_sales_at")
    if not is_workday(day) or (now.hour, now.minute) < (at.hour, at.minute):
        return 0
    finance = list(db.session.scalars(select(User).where(User.role == "finance", User.active).order_by(User.id)))
    if not finance:
        return 0
    subject, body = compose(day)
    return sum(notify.email(f"daily-sales:{day}:{u.id}", u.email, subject, body) is not None for u in finance)

