"""Who may call each orders endpoint, for the route walk (tests/foundation/test_routes_walk.py).

The order is the demo's rep1 order (team of supervisor1): entered, shipped in part (the shipment
checked), invoiced for what shipped (the invoice waiting for its check). Buttons answer 303 (done,
or refused with the reason as a message); empty forms re-render with errors (200).
"""

ALL = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")
REQUESTERS = ("rep", "supervisor", "assistant", "manager")
DESK = ("assistant", "manager")
SHIP_CHECKERS = ("assistant", "manager", "director")
INV_CHECKERS = ("assistant", "manager", "director", "finance")
PAY_ROLES = ("assistant", "manager", "finance", "director", "gm")
CERT_VIEWERS = ("rep", "supervisor", "manager", "director", "gm", "assistant")


def _only(*roles, ok=200, other=403, anon=302):
    return {**{r: ok for r in roles}, "*": other, None: anon}


ACCESS = {
    "GET orders.desk": _only(*DESK),
    "GET orders.index": _only(*ALL),
    "GET orders.new": _only(*REQUESTERS),
    "POST orders.new": _only(*REQUESTERS),
    "GET orders.stock_check": _only(*REQUESTERS),
    "GET orders.contract_choices": _only(*REQUESTERS),
    "GET orders.detail": _only(*ALL),
    "POST orders.exception": _only(*REQUESTERS, ok=303),
    "POST orders.enter": _only(*DESK, ok=303),
    "POST orders.shortage": _only(*DESK, ok=303),
    "POST orders.cancel": _only(*REQUESTERS, ok=303),
    "GET orders.shortages": _only(*ALL),
    "POST orders.shortage_resolve": _only(*DESK, ok=303),
    "GET orders.ship": _only(*DESK),
    "POST orders.ship": _only(*DESK),
    "GET orders.shipment_detail": _only(*ALL),
    "GET orders.shipment_print": _only(*ALL),
    "POST orders.shipment_check": _only(*SHIP_CHECKERS, ok=303),
    "POST orders.shipment_void": _only(*SHIP_CHECKERS, ok=303),
    "POST orders.shipment_notify": _only(*DESK, ok=303),
    "GET orders.invoice_new": _only(*DESK),
    "POST orders.invoice_new": _only(*DESK),
    "GET orders.invoice_detail": _only(*ALL),
    "POST orders.invoice_check": _only(*INV_CHECKERS, ok=303),
    "POST orders.invoice_void": _only(*INV_CHECKERS, ok=303),
    "GET orders.invoice_summaries": _only("supervisor", "finance", "manager", "director", "assistant"),
    "POST orders.summary_confirm": _only("supervisor", "finance", ok=303),
    "GET orders.payments": _only(*PAY_ROLES),
    "GET orders.payment_new": _only("assistant", "manager"),
    "POST orders.payment_new": _only("assistant", "manager"),
    "GET orders.payment_detail": _only(*PAY_ROLES),
    "GET orders.payment_slip": _only(*PAY_ROLES, ok=404),  # the demo payment has no slip
    "POST orders.payment_decide": _only("finance", ok=303),
    "GET orders.stock": _only(*ALL),
    "GET orders.receive": _only(*DESK),
    "POST orders.receive": _only(*DESK),
    "GET orders.stock_counts": _only(*ALL),
    "GET orders.stock_count_new": _only(*DESK),
    "POST orders.stock_count_new": _only(*DESK),
    "GET orders.stock_count_detail": _only(*ALL),
    "POST orders.stock_count_lock": _only("finance", ok=303),
    "GET orders.certificate": _only(*CERT_VIEWERS),
    "GET orders.certificate_scan": _only(*CERT_VIEWERS, ok=404),  # the demo licence has no scan
    "POST orders.certificate_upload": _only(*REQUESTERS),  # nothing uploaded: the form again
    "POST orders.certificate_check": _only(*DESK),  # no scan yet: the form again with the reason
    # the returns walk's sample return (rep1's, shipped back, not yet received); finance does not see it yet
    "GET orders.return_order": {**_only(*CERT_VIEWERS), "finance": 404},
    "POST orders.return_link": _only(*REQUESTERS, ok=303),  # no order chosen: refused with a message
    "POST orders.return_exchange": _only(*DESK, ok=303),  # not linked: refused with a message
}


def _order(users):
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.models import Order

    return db.session.scalar(select(Order).where(Order.rep_id == users["rep1"].id).order_by(Order.id))


def _first(model_name, **where):
    def pick(users):
        from sqlalchemy import select

        import intranet.models as models
        from intranet.extensions import db

        model = getattr(models, model_name)
        stmt = select(model.id).order_by(model.id)
        if model_name in ("Shipment", "Invoice"):
            stmt = stmt.where(model.order_id == _order(users).id)
        if model_name == "PaymentNotice":
            stmt = stmt.where(model.id == _order(users).payment_id)
        return db.session.scalar(stmt)

    return pick


PARAMS = {
    "order_id": lambda users: _order(users).id,
    "shipment_id": _first("Shipment"),
    "invoice_id": _first("Invoice"),
    "payment_id": _first("PaymentNotice"),
    "shortage_id": _first("OrderShortage"),
    "summary_id": _first("InvoiceSummary"),
    "count_id": _first("StockCount"),
    "cert_id": lambda users: _order(users).customer.certificates[0].id,
}
