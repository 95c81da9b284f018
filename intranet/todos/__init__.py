"""Everyone's to-do list (/todos/): open items and the ones already done."""

from flask import Blueprint

bp = Blueprint("todos", __name__, url_prefix="/todos")

from . import routes  # noqa: E402,F401
