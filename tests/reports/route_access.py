"""Who may call each report-center, outbox and schedule endpoint, for the route walk.

The run is the demo's report of 华东一组 (supervisor1's team): rep1 may not see it (404), finance
has no report center (403). The email is one the walk writes and marks sent, so a retry is
refused (409). <name> is the foundation's sample value "todos", not a periodic job (409).
"""

ALL = ("manager", "director", "gm", "assistant")
REQUESTERS = ("rep", "supervisor", *ALL)


def _only(*roles, ok=200, other=403, anon=302):
    return {**{r: ok for r in roles}, "*": other, None: anon}


ACCESS = {
    "GET reports.index": _only(*REQUESTERS),
    "POST reports.request_report": _only(*REQUESTERS),  # empty: errors re-rendered
    "GET reports.run": {**_only("supervisor", *ALL), "rep": 404},
    "GET reports.progress": {**_only("supervisor", *ALL), "rep": 404},
    "GET reports.download": {**_only("supervisor", *ALL), "rep": 404},
    "POST reports.rerun": {**_only("supervisor", *ALL, ok=409), "rep": 404},  # done, not failed
    "GET reports.outbox": _only("manager", "assistant"),
    "POST reports.outbox_retry": _only("manager", "assistant", ok=409),
    "GET reports.schedule": _only("manager", "assistant", "director"),
    "POST reports.schedule_switch": _only("manager", ok=409),
}


def _run(users):
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.models import ReportRun

    return db.session.scalar(select(ReportRun.id).where(ReportRun.team_id == users["rep1"].team_id)
                             .order_by(ReportRun.id))


def _email(users):
    from intranet.extensions import db
    from intranet.models import Email
    from intranet.services import notify

    row = notify.email("walk:outbox", "rep1@demo.local", "测试", "测试") or db.session.scalar(
        db.select(Email).where(Email.key == "walk:outbox"))
    row.status = "sent"
    db.session.commit()
    return row.id


PARAMS = {"run_id": _run, "email_id": _email}
