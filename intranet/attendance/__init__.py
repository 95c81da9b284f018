"""Attendance (考勤) pages at /attendance/: check-in, today's board, team calendar, corrections, the
monthly sheet and its close, the company calendar, the morning meeting, leave, trips and the
violations register. What each person sees and may do is decided by the services."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..web.desk import nav

bp = Blueprint("attendance", __name__, url_prefix="/attendance")

STAFF = ("rep", "supervisor", "assistant", "manager")  # clock in, ask for leave and trips
LEADERS = ("supervisor", "manager", "director", "gm", "assistant")  # read the board and calendar
SHEET_READERS = ("assistant", "manager", "director", "gm")
EVERYONE = ("rep", "supervisor", "manager", "director", "gm", "assistant")

nav("attendance.index", _l("考勤"), EVERYONE, order=45)

from . import cards, demo, routes  # noqa: E402,F401
