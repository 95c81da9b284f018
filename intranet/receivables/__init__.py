"""Incoming money and receivables (来款、应收账款、催款, SPEC 2.10) at /receivables/: receipts registered by
finance, allocated by the assistant and confirmed by finance; the receivables with ageing; the
monthly dunning notice. One blueprint for every role; the record scope is decided in
services/receivables.py and services/dunning.py."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..web.desk import nav
from ..web.guards import ALL_ROLES

bp = Blueprint("receivables", __name__, url_prefix="/receivables")

nav("receivables.index", _l("应收账款"), ALL_ROLES, order=45)
nav("receivables.statistics", _l("回款统计"), ALL_ROLES, order=46)
nav("receivables.commission", _l("佣金统计表"), ALL_ROLES, order=47)

from . import customer_section, demo, routes, routes_statistics  # noqa: E402,F401
