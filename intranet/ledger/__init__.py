"""The petty-cash ledger (/ledger/): statement, recording, the two-person check, month-end settlement."""

from flask import Blueprint

bp = Blueprint("ledger", __name__, url_prefix="/ledger")

from . import cards, routes  # noqa: E402,F401
