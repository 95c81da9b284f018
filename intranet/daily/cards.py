"""Desk cards: the rep's sheet of today, and the assistant's morning check and the day's report."""

from datetime import timedelta

from ..clock import today_local
from ..models import User
from ..services import daily_report, daily_sheets
from ..web.desk import card


@card("daily_mine", "daily/cards/mine.html", ("rep",), order=30)
def mine_card(user: User) -> dict:
    today = today_local()
    return {"today": today, "sheet": daily_sheets.for_day(user, today), "due": daily_sheets.due_at(today)}


@card("daily_desk", "daily/cards/desk.html", ("assistant", "supervisor", "manager"), order=30)
def desk_card(user: User) -> dict:
    today = today_local()
    rows = daily_sheets.day_overview(user, today)
    yesterday = today - timedelta(days=1)
    unchecked = [r for r in daily_sheets.day_overview(user, yesterday) if r["sheet"] and not r["sheet"].checked_at]
    return {"today": today, "filed": sum(1 for r in rows if r["sheet"]), "total": len(rows), "unchecked": unchecked,
            "yesterday": yesterday, "sent": daily_report.sent_row("daily", today)}
