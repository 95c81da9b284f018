"""Who may call each samples endpoint, for the route walk (tests/foundation/test_routes_walk.py).

The sample request is the demo's rep1 request (team of supervisor1), approved and issued in part;
its stock document is the checked issue; the mailing is the demo's earlier one to rep1's customer,
already received and verified. POSTs are empty (valid CSRF token, no fields).
"""

ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant")
KEEPERS = ("assistant", "manager")
CHECKERS = ("assistant", "manager", "director")
REQUESTERS = ("rep", "supervisor", "manager")


def _only(*roles, ok=200, other=403, anon=302):
    return {**{r: ok for r in roles}, "*": other, None: anon}


ACCESS = {
    "GET samples.index": _only(*ROLES),
    "GET samples.item_new": _only(*KEEPERS),
    "POST samples.item_new": _only(*KEEPERS),  # empty form: errors next to the fields
    "GET samples.item_edit": _only(*KEEPERS),
    "POST samples.item_edit": _only(*KEEPERS),
    "GET samples.item_detail": _only(*ROLES),
    "GET samples.receipt_new": _only(*KEEPERS),
    "POST samples.receipt_new": _only(*KEEPERS),
    "GET samples.docs": _only(*CHECKERS),
    "GET samples.stock_doc": _only(*ROLES),
    # the sample issue is checked already: a second check or a cancel is refused (409)
    "POST samples.check": _only(*CHECKERS, ok=409),
    "POST samples.cancel": _only(*CHECKERS, ok=409),
    "GET samples.requests": _only(*ROLES),
    "GET samples.request_new": _only(*REQUESTERS),
    "POST samples.request_new": _only(*REQUESTERS),
    # rep1 owns it but it is under way (409); other requesters are not the owner (403)
    "GET samples.request_edit": {"rep": 409, "*": 403, None: 302},
    "POST samples.request_edit": {"rep": 409, "*": 403, None: 302},
    "POST samples.request_submit": {"rep": 409, "*": 403, None: 302},
    "POST samples.request_withdraw": {"rep": 409, "*": 403, None: 302},
    "GET samples.request_detail": _only(*ROLES),
    "GET samples.request_print": _only(*ROLES),
    # empty POST: "fill in at least one quantity" next to the lines, nothing reserved
    "GET samples.request_issue": _only(*KEEPERS),
    "POST samples.request_issue": _only(*KEEPERS),
    "GET samples.request_return": _only(*KEEPERS),
    "POST samples.request_return": _only(*KEEPERS),
    "POST samples.request_shortage": _only(*KEEPERS, ok=409),  # the stock covers it: nothing to register
    "GET samples.shortages": _only(*ROLES),
    "GET samples.on_loan": _only(*ROLES),
    "GET samples.mailings": _only(*ROLES),
    "GET samples.mailing_new": _only("assistant"),
    "POST samples.mailing_new": _only("assistant"),
    "GET samples.mailing_detail": _only(*ROLES),
    # verified already: no step left (409)
    "GET samples.mailing_received": _only(*ROLES, ok=409),
    "POST samples.mailing_received": _only(*ROLES, ok=409),
    "GET samples.mailing_confirm": _only("assistant", ok=409),
    "POST samples.mailing_confirm": _only("assistant", ok=409),
    "GET samples.issue_register": _only(*ROLES),
    "GET samples.mailing_register": _only(*ROLES),
}


def _demo_request(users):
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.models import SampleRequest

    return db.session.scalar(select(SampleRequest).where(SampleRequest.rep_id == users["rep1"].id)
                             .order_by(SampleRequest.id))


def _item(users):
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.models import SampleItem

    return db.session.scalar(select(SampleItem.id).order_by(SampleItem.id))


def _stock_doc(users):
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.models import StockDoc

    return db.session.scalar(select(StockDoc.id).where(StockDoc.request_id == _demo_request(users).id))


def _mailing(users):
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.models import Mailing

    return db.session.scalar(select(Mailing.id).where(Mailing.rep_id == users["rep1"].id, Mailing.status == "confirmed"))


PARAMS = {
    "sample_id": lambda users: _demo_request(users).id,
    "item_id": _item,
    "doc_id": _stock_doc,
    "mailing_id": _mailing,
}
