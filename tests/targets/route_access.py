"""Who may call each targets endpoint, for the route walk (tests/foundation/test_routes_walk.py).

The target is the demo's approved target of this year (made by the manager, approved by the gm); the plan
is rep1's approved annual plan (team of supervisor1). Buttons on approved documents are refused with a
message (303); empty forms re-render with errors (200)."""

ALL = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")
LEADERS = ("manager", "director", "gm", "assistant")
EDITORS = ("manager", "director")
PLAN_ROLES = ("rep", "supervisor", *LEADERS)


def _only(*roles, ok=200, other=403, anon=302):
    return {**{r: ok for r in roles}, "*": other, None: anon}


ACCESS = {
    "GET targets.index": _only(*LEADERS),
    "POST targets.index": {**_only(*LEADERS), "gm": 403, "assistant": 403},
    "GET targets.target_detail": _only(*LEADERS),
    "POST targets.target_breakdown": _only(*EDITORS, ok=303),
    "POST targets.target_submit": _only(*EDITORS, ok=303),
    "POST targets.target_amend": _only(*EDITORS, ok=303),
    "GET targets.plans": _only(*PLAN_ROLES),
    "POST targets.plan_new": _only("rep"),
    "GET targets.plan_detail": _only(*PLAN_ROLES),
    "POST targets.plan_line_add": _only("rep"),
    "POST targets.plan_line_delete": _only("rep", ok=303),
    "POST targets.plan_submit": _only("rep", ok=303),
    "POST targets.plan_amend": _only("rep", ok=303),
    "GET targets.overview": _only(*ALL),
    "GET targets.figures": _only(*ALL),
    "GET targets.drill": _only(*ALL),
    "GET targets.forecasts": _only("supervisor", *LEADERS),
    "POST targets.forecast_file": _only("supervisor", *EDITORS),  # an empty form re-renders with errors
}


def _plan(users):
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.models import SalesPlan

    return db.session.scalar(select(SalesPlan).where(SalesPlan.rep_id == users["rep1"].id,
                                                     SalesPlan.month.is_(None)).order_by(SalesPlan.id))


def _target(users):
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.models import SalesTarget

    return db.session.scalar(select(SalesTarget.id).order_by(SalesTarget.id))


PARAMS = {
    "target_id": _target,
    "sales_plan_id": lambda users: _plan(users).id,
    "plan_line_id": lambda users: _plan(users).lines[0].id,
}
