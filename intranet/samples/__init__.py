"""Samples and materials (样品与物料) pages at /samples/: the store, requests with issue and double
review, returns to store, shortages, the mailing register and the monthly registers.

One blueprint for every role; what each person sees and may do is decided per record by
services/samples.py and services/mailings.py.
"""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..services.samples import SAMPLE_ROLES
from ..web.desk import nav

bp = Blueprint("samples", __name__, url_prefix="/samples")

nav("samples.requests", _l("样品物料"), SAMPLE_ROLES, order=45)


@bp.app_template_global("samples_on_loan")
def samples_on_loan(user):
    """For a leaver's handover (the user page): what is still out with them."""
    from ..services.samples import on_loan

    return on_loan(user)

from . import cards, demo, routes  # noqa: E402,F401
