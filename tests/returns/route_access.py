"""Who may call each returns endpoint, for the route walk (tests/foundation/test_routes_walk.py).

Keys follow ENDPOINT_ACCESS there: "<METHOD> <endpoint>". Values: role → status, "*" = every other
role, None = anonymous. The sample return is the demo's TH-…-0001: rep1's (team of supervisor1),
signed and shipped back, so the next step is the assistant's receipt; its attachment was uploaded by
the assistant. POSTs are empty (valid CSRF token, no fields).
"""

CREATORS = ("rep", "supervisor", "manager", "director")
ALL = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")
# Finance sees a return from the refund stage on; the sample is still at "shipped", so 404 for them.
SEEING = ("rep", "supervisor", "manager", "director", "gm", "assistant")




def _only(*roles, ok=200, other=403, anon=302):
    return {**{r: ok for r in roles}, "*": other, None: anon}


ACCESS = {
    "GET returns.index": _only(*ALL),
    "GET returns.register": _only(*ALL),
    "GET returns.new": _only(*CREATORS),
    "POST returns.new": _only(*CREATORS),  # empty form: errors next to the fields, nothing saved
    "GET returns.line_row": _only(*CREATORS),
    "GET returns.detail": _only(*SEEING, other=404),  # rep1 owns it, supervisor1 leads rep1, the others see all
    "GET returns.print_form": _only(*SEEING, other=404),
    "GET returns.attachment": _only(*SEEING, other=404),
    # rep1 owns it but it is under way (409); nobody else may edit or submit it (403)
    "GET returns.edit": {"rep": 409, "*": 403, None: 302},
    "POST returns.edit": {"rep": 409, "*": 403, None: 302},
    "POST returns.submit": {"rep": 409, "*": 403, None: 302},
    "POST returns.withdraw": {"rep": 409, "*": 403, None: 302},
    # the complaint form is locked once the return went up for sign-off
    "GET returns.complaint": {"assistant": 409, "*": 403, None: 302},
    "POST returns.complaint": {"assistant": 409, "*": 403, None: 302},
    # the assistant may add photos until it is closed (empty upload: message, back to the page)
    "POST returns.upload": {"assistant": 303, "finance": 404, "*": 403, None: 302},
    # only the uploader, and only before submission
    "POST returns.attachment_delete": {"finance": 404, "*": 403, None: 302},
    # tracking: the return is at "shipped", so receipt is the step (empty POST: errors re-rendered)
    "GET returns.receive": {"assistant": 200, "*": 403, None: 302},
    "POST returns.receive": {"assistant": 200, "*": 403, None: 302},
    "GET returns.notify": {"assistant": 409, "*": 403, None: 302},
    "POST returns.notify": {"assistant": 409, "*": 403, None: 302},
    "GET returns.ship": {"assistant": 409, "*": 403, None: 302},
    "POST returns.ship": {"assistant": 409, "*": 403, None: 302},
    "GET returns.refund": {"finance": 404, "*": 403, None: 302},
    "POST returns.refund": {"finance": 404, "*": 403, None: 302},
    "POST returns.close": {"assistant": 409, "*": 403, None: 302},
}


def _demo_return(users):
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.models import ReturnRequest

    return db.session.scalar(select(ReturnRequest).where(ReturnRequest.rep_id == users["rep1"].id,
                                                          ReturnRequest.status == "shipped")
                             .order_by(ReturnRequest.id))


PARAMS = {
    "return_id": lambda users: _demo_return(users).id,
    "attachment_id": lambda users: _demo_return(users).attachments[0].id,
}
