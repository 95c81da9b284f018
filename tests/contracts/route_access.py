"""Who may call each contracts endpoint, for the route walk (tests/foundation/test_routes_walk.py)."""

ALL = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")

ACCESS = {
    "GET contracts.register": {**{r: 200 for r in ALL}, "*": 403, None: 302},
}
PARAMS = {}


# ---- performance sheet (《合同履行一览表》, intranet/contracts/routes_performance.py) ----------------
# The sample contract is rep1's (team of supervisor1), signed; the sample entry is a follow-up note on it.
# Empty POSTs: the entry and send forms re-render with their errors (200); the cancel button without a
# reason is refused with a message back on the sheet (303).
_PERF_RECORDERS = ("rep", "supervisor", "assistant", "manager")


def _perf_only(*roles, ok=200):
    return {**{r: ok for r in roles}, "*": 403, None: 302}


ACCESS.update({
    "GET contracts.performance": _perf_only(*ALL),
    "GET contracts.performance_print": _perf_only(*ALL),
    "POST contracts.performance_event": _perf_only(*_PERF_RECORDERS),
    "POST contracts.performance_cancel": _perf_only(*_PERF_RECORDERS, ok=303),
    "POST contracts.performance_send": _perf_only(*_PERF_RECORDERS),
})


def _perf_contract(users):
    """rep1's signed sample contract (made once per walk)."""
    from decimal import Decimal

    from sqlalchemy import select

    from intranet.clock import today_local
    from intranet.extensions import db
    from intranet.models import Contract, Customer, Product
    from intranet.services import approvals, contracts

    found = db.session.scalar(select(Contract).where(Contract.rep_id == users["rep1"].id,
                                                     Contract.status == "signed").order_by(Contract.id))
    if found is None:
        customer = db.session.scalar(select(Customer).where(Customer.owner_id == users["rep1"].id).order_by(Customer.id))
        product = db.session.scalar(select(Product).order_by(Product.id))
        found = contracts.create_contract(users["rep1"], customer, [contracts.LineInput(product.id, 2, Decimal("50.00"))])
        req = contracts.submit_contract(users["rep1"], found)
        approvals.decide(users["manager"], req.id, "approve", "同意")
        contracts.mark_signed(users["rep1"], found, today_local())
        db.session.commit()
    return found


def _perf_contract_id(users):
    return _perf_contract(users).id


def _perf_event_id(users):
    from intranet.clock import today_local
    from intranet.extensions import db
    from intranet.services import contract_performance

    row = contract_performance.add_event(users["rep1"], _perf_contract(users), "follow_up", today_local(), "排产中")
    db.session.commit()
    return row.id


PARAMS.setdefault("contract_id", _perf_contract_id)
PARAMS["event_id"] = _perf_event_id
