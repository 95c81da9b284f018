"""Desk cards: my day (check in / out in one click) for the staff, today's board for the leaders."""

from flask_babel import lazy_gettext as _l

from .. import clock
from ..models import User
from ..services import attendance as svc
from ..web.desk import card
from . import STAFF


@card("attendance_today", "attendance/cards/today.html", STAFF, order=5)
def today_card(user: User) -> dict:
    today = clock.today_local()
    return {"record": svc.record_for(user.id, today), "day_status": svc.day_status(user, today),
            "visits": svc.todays_visits(user, today), "title": _l("今日考勤")}


# The card names at most this many people per line and counts the rest ("等 N 人"): a supervisor's team
# fits whole, while a department of two hundred would fill the desk (and its rendering would cost
# more than the rest of the desk); the whole list is one click away on the board.
CARD_NAMES = 10


@card("attendance_board", "attendance/cards/board.html", ("supervisor", "assistant", "manager"), order=6)
def board_card(user: User) -> dict:
    rows = [r for r in svc.today_board(user, with_visits=False) if r["person"].id != user.id]
    missing = [r["person"].name for r in rows if r["missing"]]
    out = [r for r in rows if r["status"].kind in ("field", "trip", "leave")]
    # each kind's label translated once, not once a person (a department is out visiting most days)
    labels = {kind: str(svc.KIND_LABELS[kind]) for kind in {r["status"].kind for r in out}}
    return {"missing": missing[:CARD_NAMES], "missing_total": len(missing),
            "out": [(r["person"].name, labels[r["status"].kind]) for r in out[:CARD_NAMES]],
            "out_total": len(out), "total": len(rows), "title": _l("今日到岗")}
