"""Expected status per role for visit plans and reports (merged into tests/foundation/test_routes_walk.py).

Keys follow the walker: "<METHOD> <endpoint>"; roles are played by rep1 and supervisor1; POSTs are empty.
The sample plan is the demo's approved plan of rep1 for the current month (so it is locked).
"""

ANON = None
VIEWERS = ("rep", "supervisor", "manager", "director", "gm", "assistant")
STATS_VIEWERS = ("supervisor", "manager", "director", "gm", "assistant")


def only(*roles, ok=200, other=403, anon=302):
    return {**{role: ok for role in roles}, "*": other, ANON: anon}


ACCESS = {
    "GET visits.index": only(*VIEWERS, ok=302),  # → the plan list
    "GET visits.plans": only(*VIEWERS),
    "POST visits.plan_new": only("rep", ok=303),  # no month: flash, back to the list
    "GET visits.plan_detail": only(*VIEWERS),
    "GET visits.plan_rows": only(*VIEWERS),
    "GET visits.plan_print": only(*VIEWERS),
    "POST visits.row_add": only("rep"),  # errors re-rendered in the editor
    "GET visits.row_edit": only("rep"),
    "POST visits.row_edit": only("rep"),  # the approved plan is locked: message re-rendered
    "POST visits.row_delete": only("rep", ok=303),  # locked: flash, back to the plan
    "POST visits.plan_submit": only("rep", ok=303),  # already approved: flash, back
    "POST visits.plan_amend": only("rep", ok=303),  # opens (or shows) the amendment
    "GET visits.reports": only(*VIEWERS),
    "GET visits.report_new": only("rep"),
    "POST visits.report_new": only("rep"),  # errors re-rendered
    "GET visits.report_detail": only(*VIEWERS),
    "POST visits.report_review": only("supervisor", "manager", "director", ok=303),
    "GET visits.stats": only(*STATS_VIEWERS),
    "GET visits.follow_ups": only(*VIEWERS),
    "POST visits.follow_up_done": only(*VIEWERS, ok=303),  # empty note: flash, back to the list
}


def _demo_plan(users):
    from intranet.extensions import db
    from intranet.models import VisitPlan

    return db.session.scalar(db.select(VisitPlan.id).where(VisitPlan.rep_id == users["rep1"].id,
                                                           VisitPlan.status == "approved").order_by(VisitPlan.id))


def _demo_row(users):
    from intranet.extensions import db
    from intranet.models import PlannedVisit

    return db.session.scalar(db.select(PlannedVisit.id).where(PlannedVisit.plan_id == _demo_plan(users))
                             .order_by(PlannedVisit.id))


def _demo_report(users):
    from intranet.extensions import db
    from intranet.models import VisitReport

    return db.session.scalar(db.select(VisitReport.id).where(VisitReport.rep_id == users["rep1"].id)
                             .order_by(VisitReport.id))


def _demo_follow_up(users):
    from intranet.extensions import db
    from intranet.models.visits import FollowUp

    return db.session.scalar(db.select(FollowUp.id).where(FollowUp.assignee_id == users["rep1"].id)
                             .order_by(FollowUp.id))


PARAMS = {"plan_id": _demo_plan, "row_id": _demo_row, "report_id": _demo_report, "follow_up_id": _demo_follow_up}
