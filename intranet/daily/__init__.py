"""Daily sales sheets (销售日报表) at /daily/: the rep files the day's sheet, the supervisor comments,
the assistant checks them at the morning meeting and sends the daily report (seed 000); the
manager edits who gets which report. Rules in services/daily_sheets.py and daily_report.py."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..services.daily_sheets import VIEWERS
from ..web.desk import nav

bp = Blueprint("daily", __name__, url_prefix="/daily")

nav("daily.index", _l("销售日报"), VIEWERS, order=55)

from . import cards, demo, routes  # noqa: E402,F401
