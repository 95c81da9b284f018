"""Who may call each contracts endpoint, for the route walk (tests/foundation/test_routes_walk.py).

The samples are rep1's (team of supervisor1): a quotation approved by the manager, and a contract
reviewed, signed and with its scan uploaded — made through the services the first time a URL needs
them. So the edit pages send back to the detail page (303: no longer editable), the buttons answer 303
(done, or refused with the reason as a message) and empty upload/sign forms show the page again (200).
"""

ALL = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")
WRITERS = ("rep", "supervisor", "manager", "assistant")


def _only(*roles, ok=200, other=403, anon=302):
    return {**{r: ok for r in roles}, "*": other, None: anon}


ACCESS = {
    "GET contracts.register": _only(*ALL),
    "GET contracts.new": _only(*WRITERS),
    "POST contracts.new": _only(*WRITERS),  # empty form: errors re-rendered
    "GET contracts.edit": _only(*WRITERS, ok=303),  # signed: not editable, back to the page
    "POST contracts.edit": _only(*WRITERS, ok=303),
    "GET contracts.detail": _only(*ALL),
    "POST contracts.submit": _only(*WRITERS, ok=303),
    "POST contracts.sign": _only(*WRITERS),  # already signed: the page again with the reason
    "POST contracts.scan_upload": _only(*WRITERS),  # no file: the page again with the message
    "POST contracts.original": _only("finance", ok=303),
    "POST contracts.change_add": _only(*WRITERS),  # no file: the page again with the message
    "GET contracts.file": _only(*ALL),
    "GET contracts.quotations": _only(*ALL),
    "GET contracts.quotation_new": _only(*WRITERS),
    "POST contracts.quotation_new": _only(*WRITERS),
    "GET contracts.quotation_edit": _only(*WRITERS, ok=303),  # approved: not editable
    "POST contracts.quotation_edit": _only(*WRITERS, ok=303),
    "GET contracts.quotation": _only(*ALL),
    "POST contracts.quotation_submit": _only(*WRITERS, ok=303),
    "POST contracts.quotation_sent": _only(*WRITERS, ok=303),
    "POST contracts.quotation_convert": _only(*WRITERS, ok=303),
    "GET contracts.quotation_print": _only(*ALL),
}

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a7f1d2e50000000049454e44ae426082")


def _sample(users, model):
    from sqlalchemy import select

    from intranet.extensions import db

    found = db.session.scalar(select(model).where(model.rep_id == users["rep1"].id).order_by(model.id))
    if found is None:
        _make_samples(users)
        found = db.session.scalar(select(model).where(model.rep_id == users["rep1"].id).order_by(model.id))
    return found


def _make_samples(users):
    from decimal import Decimal

    from sqlalchemy import select

    from intranet.clock import today_local
    from intranet.extensions import db
    from intranet.models import Customer, Product
    from intranet.services import approvals
    from intranet.services import contracts as svc

    rep, manager = users["rep1"], users["manager"]
    customer = db.session.scalar(select(Customer).where(Customer.owner_id == rep.id).order_by(Customer.id))
    product = db.session.scalar(select(Product).where(Product.active).order_by(Product.id))
    line = [svc.LineInput(product.id, 2, Decimal("150.00"))]
    quotation = svc.create_quotation(rep, customer, line, today_local(), "款到发货")
    approvals.decide(manager, svc.submit_quotation(rep, quotation).id, "approve", "同意")
    contract = svc.create_contract(rep, customer, line, payment_terms="签订时付定金 30%")
    approvals.decide(manager, svc.submit_contract(rep, contract).id, "approve", "同意")
    svc.mark_signed(rep, contract, today_local())
    svc.upload_scan(rep, contract, "signed.png", PNG)
    db.session.commit()


def _quotation_id(users) -> int:
    from intranet.models.contracts import Quotation

    return _sample(users, Quotation).id


def _contract_id(users) -> int:
    from intranet.models.contracts import Contract

    return _sample(users, Contract).id


def _contract_file_id(users) -> int:
    from intranet.models.contracts import Contract

    return _sample(users, Contract).scan_file_id


PARAMS = {"quotation_id": _quotation_id, "contract_id": _contract_id, "contract_file_id": _contract_file_id}


# ---- performance sheet (《合同履行一览表》, intranet/contracts/routes_performance.py) ----------------
# The sample contract above (rep1's, signed); the sample entry is a follow-up note on it. Empty POSTs:
# the entry and send forms re-render with their errors (200); the cancel button without a reason is
# refused with a message back on the sheet (303).
PERF_RECORDERS = ("rep", "supervisor", "assistant", "manager")

ACCESS.update({
    "GET contracts.performance": _only(*ALL),
    "GET contracts.performance_print": _only(*ALL),
    "POST contracts.performance_event": _only(*PERF_RECORDERS),
    "POST contracts.performance_cancel": _only(*PERF_RECORDERS, ok=303),
    "POST contracts.performance_send": _only(*PERF_RECORDERS),
})


def _event_id(users) -> int:
    from intranet.clock import today_local
    from intranet.extensions import db
    from intranet.models.contracts import Contract
    from intranet.services import contract_performance

    row = contract_performance.add_event(users["rep1"], _sample(users, Contract), "follow_up", today_local(), "排产中")
    db.session.commit()
    return row.id


PARAMS["event_id"] = _event_id


# ---- payment-terms rules (付款条件规则, intranet/contracts/routes_payment_terms.py) -----------------------
# The sales manager's and director's settings table. Empty POSTs: the forms re-render with their errors
# (200); the stop button answers 303 (stopped, or refused with the reason once it is stopped already).
RULE_KEEPERS = ("manager", "director")

ACCESS.update({
    "GET contracts.payment_terms": _only(*RULE_KEEPERS),
    "POST contracts.payment_term_new": _only(*RULE_KEEPERS),
    "GET contracts.payment_term_edit": _only(*RULE_KEEPERS),
    "POST contracts.payment_term_edit": _only(*RULE_KEEPERS),
    "POST contracts.payment_term_deactivate": _only(*RULE_KEEPERS, ok=303),
})


def _rule_id(users) -> int:
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.models.contracts import PaymentTermRule
    from intranet.services import payment_terms

    found = db.session.scalar(select(PaymentTermRule.id).order_by(PaymentTermRule.id))
    if found is None:
        found = payment_terms.create(users["manager"], {
            "customer_kind": "distributor", "min_amount": "0", "deposit_percent": "30",
            "balance_rule": "after_acceptance", "balance_days": "30"}).id
        db.session.commit()
    return found


PARAMS["payment_rule_id"] = _rule_id
