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
    return {"today": today, **daily_sheets.desk_summary(user, today), "yesterday": today - timedelta(days=1),
            "sent": daily_report.sent_row("daily", today)}
