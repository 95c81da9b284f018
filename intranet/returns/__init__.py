"""Returns (退货) pages at /returns/: list, request form, detail with sign-off and tracking, print, register.

One blueprint for every role; what each person sees and may do is decided per record by
services/returns.py.
"""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..web.desk import nav

bp = Blueprint("returns", __name__, url_prefix="/returns")

RETURN_ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")

nav("returns.index", _l("退货"), RETURN_ROLES, order=40)

from . import cards, demo, routes  # noqa: E402,F401
