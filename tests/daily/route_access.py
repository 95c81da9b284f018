"""Who may call each daily endpoint, for the route walk (tests/foundation/test_routes_walk.py).

The sheet is rep1's oldest demo sheet (checked at its morning meeting already); the subscription
is a monthly one the walk adds for the manager. POSTs are empty (valid CSRF token, no fields).
"""

VIEWERS = ("rep", "supervisor", "manager", "director", "gm", "assistant")
READERS = ("assistant", "manager", "director", "gm")


def _only(*roles, ok=200, other=403, anon=302):
    return {**{r: ok for r in roles}, "*": other, None: anon}


ACCESS = {
    "GET daily.index": _only(*VIEWERS),
    "GET daily.day": _only(*VIEWERS),
    "GET daily.file": _only("rep"),
    "POST daily.file": _only("rep"),  # empty form: "fill in at least one thing" next to the field
    "GET daily.detail": _only(*VIEWERS),
    "POST daily.comment": _only("supervisor", "manager"),  # empty: "fill in the comment" re-rendered
    "POST daily.check": _only("assistant", ok=409),  # checked already
    "GET daily.report": _only(*READERS),
    # the assistant's empty POST saves an empty note (303); the other readers may only preview
    "POST daily.report": {"assistant": 303, "manager": 403, "director": 403, "gm": 403, "*": 403, None: 302},
    "GET daily.subscriptions": _only("manager"),
    "POST daily.subscriptions": _only("manager"),  # empty: errors next to the fields
    "POST daily.subscription_remove": _only("manager", ok=303),
}


def _sheet(users):
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.models import DailySheet

    return db.session.scalar(select(DailySheet.id).where(DailySheet.rep_id == users["rep1"].id)
                             .order_by(DailySheet.day))


def _subscription(users):
    from intranet.extensions import db
    from intranet.models import Subscription

    sub = Subscription(kind="monthly", address=f"walk-{db.session.scalar(db.select(db.func.count(Subscription.id)))}"
                                               "@demo.local", label="walk")
    db.session.add(sub)
    db.session.commit()
    return sub.id


PARAMS = {"sheet_id": _sheet, "sub_id": _subscription}
