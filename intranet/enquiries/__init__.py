"""The enquiry register (咨询登记) at /enquiries/: register a call or web enquiry, see it routed to the
region's rep (or the assistant, then the manager), take it up, turn it into a customer in one step.
Rules in services/enquiries.py."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..services.enquiries import REGISTRARS
from ..web.desk import nav

bp = Blueprint("enquiries", __name__, url_prefix="/enquiries")

nav("enquiries.index", _l("咨询登记"), REGISTRARS, order=12)

from . import cards, demo, routes  # noqa: E402,F401
