"""Desk card: the enquiries waiting on me (the region's rep, the assistant, the manager)."""

from flask_babel import lazy_gettext as _l

from ..services import enquiries as svc
from ..web.desk import card


@card("enquiries_mine", "enquiries/cards/mine.html", ("rep", "assistant", "manager"), order=15)
def mine_card(user) -> dict:
    return {"items": svc.open_for(user)[:8], "labels": svc.STATUS_LABELS, "title": _l("待跟进的咨询")}
