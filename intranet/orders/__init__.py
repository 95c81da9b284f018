"""Orders (订单、款到发货、发货、开票) pages at /orders/: the order desk, order requests and entry,
payment notices, stock, shipments with double review, invoices and shortages.

One blueprint for every role; what each person sees and may do is decided per record by
services/orders.py, payments.py, stock.py, shipments.py and invoices.py.
"""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..services.orders import ORDER_ROLES
from ..web.desk import nav

bp = Blueprint("orders", __name__, url_prefix="/orders")

nav("orders.index", _l("订单发货"), ORDER_ROLES, order=40)

from . import cards, demo, routes  # noqa: E402,F401
