"""Who may call each expenses/ledger endpoint, for the route walk (merged into tests/foundation/test_routes_walk.py).

Keys are "<METHOD> <endpoint>" as in ENDPOINT_ACCESS; values {role: status, "*": default, None: anonymous}.
Walked with the demo accounts (rep1, supervisor1, …) against the demo data of intranet/expenses/demo.py:
claim_id is rep1's approved claim (waiting to be paid), advance_id rep3's paid advance (outside rep1's and supervisor1's
scope: 404), promotion_id rep1's approved promotion, receipt_id the receipt of rep1's claim,
entry_id the assistant's first ledger entry (already confirmed), settlement_id a row that does not exist.
Empty POSTs: forms re-render with errors (200) or a refused action is flashed and redirected (303).
"""


ANON = None
ALL = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")
LEDGER_READERS = ("assistant", "finance", "manager", "director", "gm")
REPORT_READERS = ("supervisor", "manager", "director", "gm", "assistant", "finance")
OUTSTANDING_READERS = ("assistant", "finance", "manager", "director", "gm")


def only(*roles, ok=200, other=403, anon=302):
    return {**{r: ok for r in roles}, "*": other, ANON: anon}


def everyone(status=200, anon=302):
    return {"*": status, ANON: anon}


ACCESS = {
    # ---- a leaver's handover (org user page, refused while advances are open; the walk's user is rep2,
    # who holds customers): no colleague named, refused with a message, back to the user page
    "POST org.user_handover": only("manager", ok=303),
    # ---- expense claims -------------------------------------------------------------
    "GET expenses.claims": everyone(),
    "GET expenses.claim_new": everyone(),
    "POST expenses.claim_new": everyone(),  # empty form: errors re-rendered
    "GET expenses.claim_edit": everyone(403),  # the claim is approved: nobody edits it
    "POST expenses.claim_edit": everyone(403),
    "GET expenses.claim_detail": everyone(),  # rep1 owns it, supervisor1 leads rep1, the rest see all
    "POST expenses.claim_submit": everyone(303),  # already submitted: refused with a message
    "POST expenses.claim_receipts": only("rep"),  # the claimant: "请选择要上传的票据" re-rendered
    "POST expenses.claim_pay": only("assistant", ok=303),  # defaults: paid from petty cash, today
    "GET expenses.receipt_download": everyone(),
    # ---- advances ---------------------------------------------------------------------
    "GET expenses.advances": everyone(),
    "GET expenses.advances_outstanding": only(*OUTSTANDING_READERS),
    "GET expenses.advance_new": everyone(),
    "POST expenses.advance_new": everyone(),
    "GET expenses.advance_edit": {"rep": 404, "supervisor": 404, "*": 403, ANON: 302},
    "POST expenses.advance_edit": {"rep": 404, "supervisor": 404, "*": 403, ANON: 302},
    "GET expenses.advance_detail": {"rep": 404, "supervisor": 404, "*": 200, ANON: 302},
    "POST expenses.advance_submit": {"rep": 404, "supervisor": 404, "*": 303, ANON: 302},
    "POST expenses.advance_pay": only("finance", ok=303),  # already paid: refused with a message
    "POST expenses.advance_return": only("finance"),  # empty amount: error re-rendered
    # ---- promotions -----------------------------------------------------------------------
    "GET expenses.promotions": everyone(),
    "GET expenses.promotion_new": everyone(),
    "POST expenses.promotion_new": everyone(),
    "GET expenses.promotion_edit": everyone(403),  # approved: not editable
    "POST expenses.promotion_edit": everyone(403),
    "GET expenses.promotion_detail": everyone(),
    "POST expenses.promotion_submit": everyone(303),
    "GET expenses.promotion_writeoff": only("rep"),
    "POST expenses.promotion_writeoff": only("rep"),  # no lines: error re-rendered
    "POST expenses.promotion_receipts": only("rep"),
    "GET expenses.reports": only(*REPORT_READERS),
    # ---- period budgets: readers see budget vs actual; the director sets (empty form: errors re-rendered)
    # and deletes (budget_id: rep1's travel budget of the demo month)
    "GET expenses.budgets": only(*REPORT_READERS),
    "POST expenses.budget_set": only("director"),
    "POST expenses.budget_delete": only("director", ok=303),
    # ---- petty-cash ledger -------------------------------------------------------------------
    "GET ledger.statement": only(*LEDGER_READERS),
    "GET ledger.print_statement": only(*LEDGER_READERS),
    "GET ledger.entry_detail": only(*LEDGER_READERS),
    "GET ledger.record": only("assistant"),
    "POST ledger.record": only("assistant"),
    "POST ledger.reverse": only("assistant"),  # no reason given: error re-rendered
    "POST ledger.entry_receipts": only("assistant"),
    "GET ledger.confirm_queue": only("finance", "manager"),
    "POST ledger.confirm": only("finance", "manager", ok=303),  # already confirmed: refused with a message
    "POST ledger.confirm_bulk": only("finance", "manager", ok=303),
    "GET ledger.settlements": only(*LEDGER_READERS),
    "POST ledger.settlement_prepare": only("assistant"),
    "POST ledger.settlement_confirm": only("finance", ok=404),
    "POST ledger.settlement_send_back": only("finance", ok=404),
}


def _first(model, **where):
    from intranet.extensions import db

    return db.session.scalar(db.select(model.id).filter_by(**where).order_by(model.id))


def _claim_id(users):
    from intranet.models import ExpenseClaim

    return _first(ExpenseClaim, claimant_id=users["rep1"].id, title="上海客户拜访差旅")


def _advance_id(users):
    from intranet.models import Advance

    return _first(Advance, requester_id=users["rep3"].id)


def _promotion_id(users):
    from intranet.models import Promotion

    return _first(Promotion, owner_id=users["rep1"].id)


def _receipt_id(users):
    from intranet.models import Receipt

    return _first(Receipt, doc_type="expense", doc_id=_claim_id(users))


def _entry_id(users):
    from intranet.models import LedgerEntry

    return _first(LedgerEntry)


def _budget_id(users):
    from intranet.models import ExpenseBudget

    return _first(ExpenseBudget) or 999999


PARAMS = {
    "claim_id": _claim_id,
    "advance_id": _advance_id,
    "promotion_id": _promotion_id,
    "receipt_id": _receipt_id,
    "entry_id": _entry_id,
    "settlement_id": lambda users: 999999,
    "budget_id": _budget_id,
}
