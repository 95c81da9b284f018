"""Desk cards and nav links of the customer archive."""

from flask_babel import lazy_gettext as _l

from ..clock import today_local
from ..services import customers as svc
from ..web.desk import card, nav


@card("customer_callbacks", "customers/cards/callbacks.html", ("rep",), order=20)
def callbacks_card(user) -> dict:
    today = today_local()
    return {"items": svc.callbacks_due(user, today, within_days=3), "today": today}


@card("team_complaints", "customers/cards/complaints.html", ("supervisor", "manager"), order=20)
def complaints_card(user) -> dict:
    return {"items": svc.open_complaints(user), "today": today_local()}


@card("certificates_expiring", "customers/cards/certificates.html", ("assistant",), order=20)
def certificates_card(user) -> dict:
    return {"items": svc.expiring_certificates(today_local(), 30), "today": today_local()}


nav("customers.index", _l("客户档案"), ("rep", "supervisor", "manager", "director", "gm", "assistant"), order=20)
