"""Contracts (合同) pages at /contracts/: the contract register (合同台账). Who sees which record is decided
by services/contracts.py."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..web.desk import nav

bp = Blueprint("contracts", __name__, url_prefix="/contracts")

CONTRACT_ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")

nav("contracts.register", _l("合同台账"), CONTRACT_ROLES, order=45)

from . import routes  # noqa: E402,F401
