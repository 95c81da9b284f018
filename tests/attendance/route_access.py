"""Who may call each attendance endpoint, for the route walk (tests/foundation/test_routes_walk.py).

Samples from the demo: rep1 (team of supervisor1) — their person page, an afternoon of sick leave
already taken (so it can no longer be cancelled), a past trip, and a pending 过失单 filed by
supervisor1. POSTs are empty (valid CSRF token, no fields).
"""

STAFF = ("rep", "supervisor", "assistant", "manager")
LEADERS = ("supervisor", "manager", "director", "gm", "assistant")
SHEET = ("assistant", "manager", "director", "gm")
EVERYONE = ("rep", "supervisor", "manager", "director", "gm", "assistant")


def _only(*roles, ok=200, other=403, anon=302):
    return {**{r: ok for r in roles}, "*": other, None: anon}


ACCESS = {
    # staff land on their own page; director/gm go to today's board
    "GET attendance.index": {**_only(*STAFF), "director": 303, "gm": 303},
    "POST attendance.check_in": _only(*STAFF, ok=303),  # one click: checked in now
    "POST attendance.check_out": _only(*STAFF, ok=303),  # walked after the check-in
    "GET attendance.board": _only(*LEADERS),
    "GET attendance.team": _only(*LEADERS),
    "GET attendance.person": _only(*EVERYONE),
    "POST attendance.person_quota": _only("manager", "assistant"),  # empty: errors next to the fields
    "GET attendance.correct": _only("assistant"),
    "POST attendance.correct": _only("assistant"),  # empty: errors next to the fields
    "GET attendance.sheet": _only(*SHEET),
    "GET attendance.sheet_print": _only(*SHEET),
    "POST attendance.sheet_close": _only("assistant", ok=409),  # no month: refused with a message
    "POST attendance.sheet_reopen": _only("manager", ok=409),
    "GET attendance.company_calendar": _only("assistant", "manager"),
    "POST attendance.company_calendar": _only("assistant", "manager"),
    "GET attendance.meeting": _only("assistant"),
    "POST attendance.meeting": _only("assistant"),  # no day: error, nothing stored
    "GET attendance.leave_list": _only(*EVERYONE),
    "GET attendance.leave_new": _only(*STAFF),
    "POST attendance.leave_new": _only(*STAFF),
    "GET attendance.leave_detail": _only(*EVERYONE),
    "POST attendance.leave_cancel": {"rep": 409, "*": 403, None: 302},  # already taken
    "GET attendance.trip_list": _only(*EVERYONE),
    "GET attendance.trip_new": _only(*STAFF),
    "POST attendance.trip_new": _only(*STAFF),
    "GET attendance.trip_detail": _only(*EVERYONE),
    "POST attendance.trip_link": _only(*STAFF),  # empty: message next to the field
    "GET attendance.violation_list": _only(*EVERYONE),
    "GET attendance.violation_new": _only("supervisor", "manager", "director", "gm"),
    "POST attendance.violation_new": _only("supervisor", "manager", "director", "gm"),
    "GET attendance.violation_detail": _only(*EVERYONE),
}


def _first_of_rep1(model, users):
    from sqlalchemy import select

    from intranet.extensions import db

    return db.session.scalar(select(model.id).where(model.user_id == users["rep1"].id).order_by(model.id))


def _leave(users):
    from intranet.models import LeaveRequest

    return _first_of_rep1(LeaveRequest, users)


def _trip(users):
    from intranet.models import Trip

    return _first_of_rep1(Trip, users)


def _slip(users):
    from intranet.models import Violation

    return _first_of_rep1(Violation, users)


PARAMS = {
    "person_id": lambda users: users["rep1"].id,
    "leave_id": _leave,
    "trip_id": _trip,
    "violation_id": _slip,
}
