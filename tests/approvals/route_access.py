"""Expected status per role for the approval pages (merged into tests/foundation/test_routes_walk.py).

Keys follow the walker: "<METHOD> <endpoint>"; roles are played by director, gm, manager, supervisor1,
assistant, finance and rep1. POSTs are empty. The sample approval request is rep1's, waiting for
their line manager (supervisor1); finance may not see it (not a money document) → 404.
"""

ANON = None
DECIDERS = ("supervisor", "manager", "director", "gm", "assistant", "finance")
ROUTE_EDITORS = ("manager", "director")
# Who may see rep1's sample request: the submitter, the line manager named on its route, leadership.
VIEWERS = ("rep", "supervisor", "manager", "director", "gm", "assistant")


def only(*roles, ok=200, other=403, anon=302):
    return {**{role: ok for role in roles}, "*": other, ANON: anon}


ACCESS = {
    "GET approvals.inbox": {"*": 200, ANON: 302},
    "GET approvals.mine": {"*": 200, ANON: 302},
    "POST approvals.bulk": {"*": 303, ANON: 302},  # nothing ticked: message, back to the inbox
    "GET approvals.detail": only(*VIEWERS, other=404),
    # empty POST: no action → the message is flashed and the browser goes back (303)
    "POST approvals.decide": only(*VIEWERS, ok=303, other=404),
    # rep1 withdraws their own request; the other viewers are refused with a message (303)
    "POST approvals.withdraw": only(*VIEWERS, ok=303, other=404),
    "GET approvals.routes": only(*ROUTE_EDITORS),
    "GET approvals.stuck": only(*ROUTE_EDITORS),
    "POST approvals.reassign": only(*ROUTE_EDITORS),  # empty form: the message next to the row
    "GET approvals.route_edit": only(*ROUTE_EDITORS),
    "POST approvals.route_edit": only(*ROUTE_EDITORS),  # an empty step: errors re-rendered
    "GET approvals.delegations": only(*DECIDERS),
    "POST approvals.delegations": only(*DECIDERS),  # empty form: errors re-rendered
    # only the delegator may cancel (the sample is supervisor1's); for other deciders it does not exist
    "POST approvals.delegation_cancel": {"supervisor": 303, "rep": 403, "*": 404, ANON: 302},
}


def _sample_request(users):
    """rep1's pending request of a type with no adapter (the drawer copes), created once per database."""
    from intranet.extensions import db
    from intranet.models import ApprovalRequest
    from intranet.services import approvals

    found = approvals.request_for("walk_sample", 1)
    if found is None:
        found = ApprovalRequest(doc_type="walk_sample", doc_id=1, title="路由巡检样例", submitter_id=users["rep1"].id,
                                steps=[approvals.step_dict("主管审批", "line_manager")])
        db.session.add(found)
        db.session.commit()
    return found.id


def _sample_delegation(users):
    from datetime import timedelta

    from intranet.extensions import db
    from intranet.models import Delegation
    from intranet.web.formatting import today_local

    sup1 = users["supervisor1"]
    found = db.session.scalar(db.select(Delegation).where(Delegation.delegator_id == sup1.id))
    if found is None:
        found = Delegation(delegator_id=sup1.id, delegate_id=users["supervisor2"].id, starts_on=today_local(),
                           ends_on=today_local() + timedelta(days=3))
        db.session.add(found)
        db.session.commit()
    return found.id


def _a_document_type(users):
    """A document type the walk registers itself (the real workflows' adapters may or may not be loaded)."""
    from types import SimpleNamespace

    from intranet.services import approvals

    class WalkSample(approvals.Adapter):
        def load(self, doc_id):
            return SimpleNamespace(id=doc_id)

    if "walk_sample" not in approvals.ADAPTERS:
        approvals.register(WalkSample("walk_sample", "路由巡检样例",
                                      default_steps=[approvals.step_dict("主管审批", "line_manager")]))
    return "walk_sample"


PARAMS = {
    "request_id": _sample_request,
    "delegation_id": _sample_delegation,
    "doc_type": _a_document_type,
}
