"""Desk cards: the assistant's tracking board (overdue stages first), finance's refunds to do,
and the returns chart on the director's and general manager's desks."""

from flask_babel import lazy_gettext as _l

from ..models import User
from ..models.returns import AWAITING_COMPLAINT, NOTIFIED, RECEIVED, REFUNDED, SHIPPED, SIGNED
from ..services import returns as svc
from ..web.desk import card

TRACKED = (AWAITING_COMPLAINT, SIGNED, NOTIFIED, SHIPPED, RECEIVED, REFUNDED)
SHOWN = 12


@card("returns_tracking", "returns/cards/tracking.html", ("assistant",), order=30)
def tracking_card(user: User) -> dict:
    return {**svc.tracking_summary(TRACKED, SHOWN), "title": _l("退货跟踪"), "svc": svc}


@card("returns_refunds", "returns/cards/tracking.html", ("finance",), order=30)
def refunds_card(user: User) -> dict:
    return {**svc.tracking_summary((RECEIVED,), SHOWN), "title": _l("待办理的退货退款/冲账"), "svc": svc}


@card("returns_chart", "returns/cards/chart.html", ("director", "gm"), order=40)
def chart_card(user: User) -> dict:
    months = svc.last_months(12)
    summary = svc.monthly_totals(user, months)
    return {"chart": svc.chart_data(summary, months), "summary": summary}
