"""Contracts (合同) pages at /contracts/: the contract register (合同台账), quotations (报价单) and
contracts with their review, signing, signed scan, original and change papers. Who sees which record
is decided by services/contracts.py."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..web.desk import nav

bp = Blueprint("contracts", __name__, url_prefix="/contracts")

CONTRACT_ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")

nav("contracts.register", _l("合同台账"), CONTRACT_ROLES, order=42)
nav("contracts.quotations", _l("报价单"), CONTRACT_ROLES, order=41)
nav("contracts.payment_terms", _l("付款条件规则"), ("manager", "director"), order=43)

from . import (  # noqa: E402,F401
    customer_section,
    routes,
    routes_payment_terms,
    routes_performance,
    routes_quotations,
)
