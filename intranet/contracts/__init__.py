"""Contracts (合同) pages at /contracts/: the contract register (合同台账). Who sees which record is decided
by services/contracts.py."""

from flask import Blueprint

bp = Blueprint("contracts", __name__, url_prefix="/contracts")

CONTRACT_ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")

# Not in the menu yet: quotations and contracts are written through services/contracts.py, but their
# forms and detail pages are still to come; a register nobody can fill would only confuse staff.

from . import routes, routes_performance  # noqa: E402,F401
