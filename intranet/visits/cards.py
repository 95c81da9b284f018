"""Desk cards and nav links of visit plans and reports."""

from flask_babel import lazy_gettext as _l

from ..services import visits as svc
from ..web.desk import card, nav

ALL = ("rep", "supervisor", "manager", "director", "gm", "assistant")


@card("visit_reports_due", "visits/cards/reports_due.html", ("rep",), order=21)
def reports_due_card(user) -> dict:
    return {"items": svc.reports_due(user)}


@card("visit_plans_waiting", "visits/cards/plans_waiting.html", ("supervisor",), order=21)
def plans_waiting_card(user) -> dict:
    return {"items": svc.plans_waiting(user)}


@card("visit_follow_ups", "visits/cards/follow_ups.html", ("rep",), order=22)
def follow_ups_card(user) -> dict:
    from ..clock import today_local

    return {"items": svc.open_follow_ups(user), "today": today_local(), "show_owner": False,
            "title": _l("我的后续事项")}


@card("visit_follow_ups_overdue", "visits/cards/follow_ups.html", ("supervisor", "manager"), order=22)
def overdue_follow_ups_card(user) -> dict:
    from ..clock import today_local

    return {"items": svc.overdue_follow_ups(user), "today": today_local(), "show_owner": True,
            "title": _l("团队逾期的后续事项")}


nav("visits.plans", _l("拜访计划"), ALL, order=21)
nav("visits.reports", _l("拜访报告"), ALL, order=22)
nav("visits.follow_ups", _l("后续事项"), ALL, order=23)
nav("visits.stats", _l("计划达成"), svc.STATS_VIEWERS, order=23)
