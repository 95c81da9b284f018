"""The department's daily report (seed 000: 每天下午4:30前…汇报财务归档，并发给董事长和总经理各一份) and
the work-log summary to the gm and the sales manager before the end of the day (seeds 003, 004).

The worker builds both (HTML + plain text) from the day's sheets; the assistant previews, adds a
covering note and sends, or the schedule sends at the set time if she has not. A DailyReportSend
row per report and day is written before any email, and each email has its own outbox key, so
two ticks, two workers or a rerun never send a report twice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..clock import is_workday, now_local
from ..extensions import db
from ..models import User
from ..models.daily import DAILY, REPORT_KINDS, WORKLOG, DailyNote, DailyReportSend, DailySheet, Subscription
from ..models.people import ROLE_LABELS
from . import audit, notify, settings
from .daily_sheets import away
from .errors import AlreadyDecided, DomainError, Forbidden

SENDERS = ("assistant",)
EDITORS = ("manager",)
KIND_LABELS = {DAILY: _l("销售日报"), WORKLOG: _l("工作日志汇总")}
# The report center's scheduled activity summaries, mailed to their own subscribers.
REPORT_SUBSCRIPTIONS = {"monthly": _l("月度报表"), "weekly": _l("周报表")}
SEND_AT = {DAILY: "daily_report_at", WORKLOG: "worklog_report_at"}
SWITCH = {DAILY: "daily_report", WORKLOG: "worklog_report"}  # each report's on/off on the schedule page
CHAIRMAN = "setting:chairman_email"
# Who gets what until the manager edits the list: (kind, address or role:<role> / the setting, label).
DEFAULTS = [(DAILY, "role:finance", "财务（归档）"), (DAILY, CHAIRMAN, "董事长"), (DAILY, "role:gm", "总经理"),
            (WORKLOG, "role:gm", "总经理"), (WORKLOG, "role:manager", "销售经理")]


def compile_day(day: date) -> dict:
    """The figures of the day: every active rep's sheet (or why it is missing) and the totals."""
    reps = db.session.scalars(select(User).where(User.role == "rep", User.active).order_by(User.team_id, User.id))
    sheets = {s.rep_id: s for s in db.session.scalars(select(DailySheet).where(DailySheet.day == day))}
    rows, missing = [], []
    for rep in reps:
        sheet = sheets.get(rep.id)
        if sheet:
            rows.append({"rep": rep.name, "team": rep.team.name if rep.team else "", "sheet": sheet})
        else:
            missing.append({"rep": rep.name, "away": away(rep.id, day)})
    totals = {"visits": sum(r["sheet"].visits_done for r in rows), "calls": sum(r["sheet"].calls for r in rows),
              "orders": sum((r["sheet"].orders_amount for r in rows), Decimal("0.00")),
              "payments": sum((r["sheet"].payments_amount for r in rows), Decimal("0.00"))}
    return {"day": day, "rows": rows, "missing": missing, "totals": totals, "filed": len(rows)}


def note_for(kind: str, day: date) -> str:
    row = db.session.scalar(select(DailyNote).where(DailyNote.kind == kind, DailyNote.day == day))
    return row.note if row else ""


def save_note(actor: User, kind: str, day: date, note: str) -> None:
    if actor.role not in SENDERS:
        raise Forbidden(_l("只有销售内勤编辑日报"))
    row = db.session.scalar(select(DailyNote).where(DailyNote.kind == kind, DailyNote.day == day))
    if row is None:
        row = DailyNote(kind=kind, day=day)
        db.session.add(row)
    row.note = (note or "").strip()[:2000]
    db.session.flush()


def build(kind: str, day: date, note: str | None = None, data: dict | None = None) -> dict:
    """Subject, plain text and HTML of one report (the preview and the email are the same), in the
    language of the moment (the reader's page, or the recipient's under `force_locale`)."""
    data = compile_day(day) if data is None else data
    note = note_for(kind, day) if note is None else note
    subject = f"{KIND_LABELS[kind]} {day:%Y-%m-%d}"
    ctx = {"data": data, "note": note, "kind": kind, "subject": subject}
    return {"subject": subject, "text": render_template("daily/email.txt", **ctx),
            "html": render_template("daily/email.html", **ctx), "data": data}


def subscriptions(kind: str | None = None) -> list[Subscription]:
    stmt = select(Subscription).order_by(Subscription.kind, Subscription.id)
    if kind:
        stmt = stmt.where(Subscription.kind == kind)
    return list(db.session.scalars(stmt))


def recipients(kind: str) -> list[tuple[str, str]]:
    """(address, label) of everyone subscribed to `kind`: the manager's list, else the defaults."""
    entries = [(s.address, s.label) for s in subscriptions(kind)] or [(a, lbl) for k, a, lbl in DEFAULTS if k == kind]
    out: dict[str, str] = {}
    for address, label in entries:
        for resolved in _resolve(address):
            out.setdefault(resolved, label)
    return list(out.items())


def _resolve(address: str) -> list[str]:
    if address == CHAIRMAN:
        return [a for a in [settings.get("chairman_email")] if a]
    if address.startswith("role:"):
        return list(db.session.scalars(select(User.email).where(User.role == address[5:], User.active)
                                       .order_by(User.id)))
    return [address]


def sent_row(kind: str, day: date) -> DailyReportSend | None:
    return db.session.scalar(select(DailyReportSend).where(DailyReportSend.kind == kind, DailyReportSend.day == day))


def send(kind: str, day: date, actor: User | None = None, note: str | None = None) -> DailyReportSend:
    """Send today's report once. The send row is inserted first: a second sender meets the unique
    constraint (or finds the row) and sends nothing."""
    if actor is not None and actor.role not in SENDERS:
        raise Forbidden(_l("只有销售内勤发送日报"))
    if kind not in REPORT_KINDS:
        raise DomainError(_l("未知的报表"))
    if sent_row(kind, day):
        raise AlreadyDecided(_l("该日报已发送"))
    if actor is not None and note is not None:
        save_note(actor, kind, day, note)
    data = compile_day(day)
    row = DailyReportSend(kind=kind, day=day, note=note_for(kind, day) if note is None else note,
                          sent_by_id=actor.id if actor else None)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError as exc:
        raise AlreadyDecided(_l("该日报已发送")) from exc
    targets = recipients(kind)
    written: dict[str, dict] = {}  # one rendering per language: each recipient reads the report in theirs
    for address, _label in targets:
        locale = notify.language_of(address)
        if locale not in written:
            with force_locale(locale):
                written[locale] = build(kind, day, note, data)
        report = written[locale]
        email = notify.email(f"daily-report:{kind}:{day.isoformat()}:{address}", address, report["subject"],
                             report["text"])
        if email is not None:
            email.html_body = report["html"]
    row.recipients = len(targets)
    audit.record(actor, "daily_report.send", row, after={"kind": kind, "day": day.isoformat(),
                                                       "recipients": [a for a, _ in targets]})
    db.session.flush()
    return row


def send_due(now=None) -> list[str]:
    """The schedule: on a working day, each report not yet sent once its time has passed."""
    now = now or now_local()
    day = now.date()
    sent = []
    if not is_workday(day):
        return sent
    from .job_schedule import is_enabled

    for kind in REPORT_KINDS:
        if not is_enabled(SWITCH[kind]):  # the manager switched this report off (the other may be on)
            continue
        at = settings.get(SEND_AT[kind])
        if (now.hour, now.minute) < (at.hour, at.minute) or sent_row(kind, day):
            continue
        try:
            send(kind, day)
        except AlreadyDecided:
            continue
        sent.append(kind)
    return sent


def add_subscription(actor: User, kind: str, address: str, label: str) -> Subscription:
    if actor.role not in EDITORS:
        raise Forbidden(_l("只有销售经理编辑订阅"))
    address = (address or "").strip()
    if kind not in (*REPORT_KINDS, *REPORT_SUBSCRIPTIONS):
        raise DomainError(_l("请选择报表"), field="kind")
    if address != CHAIRMAN and not address.startswith("role:") and not settings.EMAIL.fullmatch(address):
        raise DomainError(_l("邮箱格式不正确"), field="address")
    if db.session.scalar(select(Subscription.id).where(Subscription.kind == kind, Subscription.address == address)):
        raise DomainError(_l("该地址已订阅此报表"), field="address")
    if not subscriptions(kind):  # the first edit starts from the defaults, so nobody silently drops off
        for k, a, lbl in DEFAULTS:
            if k == kind:
                db.session.add(Subscription(kind=k, address=a, label=lbl))
    sub = Subscription(kind=kind, address=address, label=(label or "").strip()[:60])
    db.session.add(sub)
    db.session.flush()
    audit.record(actor, "subscription.add", sub, after={"kind": kind, "address": address})
    return sub


def remove_subscription(actor: User, sub_id: int) -> None:
    if actor.role not in EDITORS:
        raise Forbidden(_l("只有销售经理编辑订阅"))
    sub = db.session.get(Subscription, sub_id)
    if sub is None:
        raise DomainError(_l("订阅不存在"))
    audit.record(actor, "subscription.remove", sub, before={"kind": sub.kind, "address": sub.address})
    db.session.delete(sub)
    db.session.flush()


def address_label(address: str) -> str:
    """How a subscription's address reads on the page, in the reader's language."""
    if address == CHAIRMAN:
        return _l("董事长（%(email)s）", email=settings.get("chairman_email") or "—")
    if address.startswith("role:"):
        role = address[5:]
        return _l("%(role)s（全部）", role=ROLE_LABELS.get(role, role))
    return address
