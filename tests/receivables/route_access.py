"""Who may call each receivables endpoint, for the route walk (tests/foundation/test_routes_walk.py).

The receipt is the demo's first one (rep1's customer, partly allocated, one allocation waiting for
finance). Buttons answer 303 (done, or refused with the reason as a message); empty forms
re-render with errors (200).
"""

ALL = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")


def _only(*roles, ok=200, other=403, anon=302):
    return {**{r: ok for r in roles}, "*": other, None: anon}


ACCESS = {
    "GET receivables.index": _only(*ALL),
    "GET receivables.payments": _only(*ALL),
    "GET receivables.payment_new": _only("finance"),
    "POST receivables.payment_new": _only("finance"),
    "GET receivables.payment_detail": _only(*ALL),
    "GET receivables.allocate": _only("assistant"),
    "POST receivables.allocate": _only("assistant"),
    "POST receivables.allocation_confirm": _only("finance", ok=303),
    "POST receivables.allocation_reverse": _only("assistant", ok=303),
    "GET receivables.to_confirm": _only("finance"),
    "GET receivables.dunning": _only(*ALL),
    "POST receivables.dunning_issue": _only("finance", ok=303),
    # rep1 has lines on the demo notice; the other reps of other teams would get 404
    "GET receivables.dunning_detail": _only(*ALL),
    "POST receivables.dunning_pass_on": _only("supervisor", ok=303),
    "POST receivables.dunning_record": _only("rep", ok=303),
    # every role: the scope (own line, the team, everyone) is applied in the figures themselves
    "GET receivables.statistics": _only(*ALL),
    "GET receivables.commission": _only(*ALL),
}


def _payment(users):
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.models import Customer, IncomingPayment

    return db.session.scalar(select(IncomingPayment).join(Customer, IncomingPayment.customer_id == Customer.id)
                             .where(Customer.owner_id == users["rep1"].id).order_by(IncomingPayment.id))


def _allocation(users):
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.models import PaymentAllocation

    return db.session.scalar(select(PaymentAllocation.id).where(PaymentAllocation.payment_id == _payment(users).id,
                                                                PaymentAllocation.confirmed_by_id.is_(None))
                             .order_by(PaymentAllocation.id))


def _notice(users):
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.models import DunningNotice

    return db.session.scalar(select(DunningNotice).where(DunningNotice.team_id == users["rep1"].team_id))


def _line(users):
    return next(x.id for x in _notice(users).lines if x.rep_id == users["rep1"].id)


PARAMS = {
    "dunning_id": lambda users: _notice(users).id,
    "dunning_line_id": _line,
    "incoming_id": lambda users: _payment(users).id,
    "allocation_id": _allocation,
}
