"""The daily sales sheet (销售日报表): a rep files one per day; late after the due time unless the rep
was on a business trip or on leave that day (filed on return); the supervisor comments; the
assistant marks it checked at the next morning meeting (SPEC 2.7)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..clock import SHANGHAI, now_utc, today_local
from ..extensions import db
from ..models import LeaveRequest, Trip, User, VisitReport
from ..models.attendance import APPROVED
from ..models.daily import DailySheet
from ..web.money_input import parse_amount
from . import audit, settings
from .customers import can_see_rep, rep_scope
from .errors import AlreadyDecided, DomainError, Forbidden
from .text_rules import whole_number

CHECKERS = ("assistant",)
COMMENTERS = ("supervisor", "manager")
VIEWERS = ("rep", "supervisor", "manager", "director", "gm", "assistant")
TEXT_FIELDS = ("orders_note", "opinions", "problems", "tomorrow")
MAX_BACK_DAYS = 31  # a sheet may be filed for a past day (on return from a trip) within a month


class InputErrors(DomainError):
    def __init__(self, errors: dict):
        super().__init__(next(iter(errors.values())), field=next(iter(errors)))
        self.errors = errors


def visible_query(user: User):
    return select(DailySheet).where(rep_scope(user, DailySheet.rep_id))


def get_visible_or_404(user: User, sheet_id: int) -> DailySheet:
    sheet = db.session.get(DailySheet, sheet_id)
    if sheet is None or not can_see_rep(user, sheet.rep_id):
        abort(404)
    return sheet


def for_day(rep: User, day: date) -> DailySheet | None:
    return db.session.scalar(select(DailySheet).where(DailySheet.rep_id == rep.id, DailySheet.day == day))


def visits_done(rep_id: int, day: date) -> int:
    """Pulled from the rep's visit reports of that day."""
    return db.session.scalar(select(func.count(VisitReport.id))
                             .where(VisitReport.rep_id == rep_id, VisitReport.visit_date == day)) or 0


def away(rep_id: int, day: date) -> str:
    """"trip" / "leave" when an approved trip or leave covers the day, else ""."""
    for model, label in ((Trip, "trip"), (LeaveRequest, "leave")):
        found = db.session.scalar(select(model.id).where(model.user_id == rep_id, model.status == APPROVED,
                                                         model.start_day <= day, model.end_day >= day).limit(1))
        if found:
            return label
    return ""


def away_on(rep_ids, day: date) -> dict[int, str]:
    """away() for many reps at once: {rep id: "trip" / "leave"} in two queries, whatever their number."""
    rep_ids = list(rep_ids)
    out: dict[int, str] = {}
    for model, label in ((LeaveRequest, "leave"), (Trip, "trip")):  # a trip wins, as in away()
        for rep_id in db.session.scalars(select(model.user_id).where(
                model.user_id.in_(rep_ids), model.status == APPROVED, model.start_day <= day,
                model.end_day >= day).distinct()):
            out[rep_id] = label
    return out


def due_at(day: date) -> datetime:
    due = settings.get("daily_log_deadline")
    return datetime(day.year, day.month, day.day, due.hour, due.minute, tzinfo=SHANGHAI)


def check_input(fields: dict) -> dict:
    errors, clean = {}, {}
    calls = whole_number(fields.get("calls") or "0")
    if calls is None or calls < 0 or calls > 1000:
        errors["calls"] = _l("请填写 0 到 1000 之间的整数")
    clean["calls"] = calls
    for key in ("orders_amount", "payments_amount"):
        try:
            clean[key] = parse_amount(fields.get(key) or "0", allow_zero=True)
        except ValueError as exc:
            errors[key] = exc.args[0]
    for key in TEXT_FIELDS:
        clean[key] = (fields.get(key) or "").strip()
        if len(clean[key]) > 2000:
            errors[key] = _l("内容过长（最多 %(n)d 个字符）", n=2000)
    if not any(clean[k] for k in ("opinions", "problems", "tomorrow", "orders_note")) and not clean.get("calls") \
            and not (clean.get("orders_amount") or Decimal(0)):
        errors.setdefault("tomorrow", _l("请至少填写一项内容（如明日计划）"))
    if errors:
        raise InputErrors(errors)
    return clean


def file_sheet(actor: User, day: date, fields: dict) -> DailySheet:
    """File (or correct, until checked) the rep's own sheet for `day`."""
    if actor.role != "rep":
        raise Forbidden(_l("只有业务员填写销售日报表"))
    today = today_local()
    if day > today or day < today - timedelta(days=MAX_BACK_DAYS):
        raise DomainError(_l("只能填写今天或最近一个月内的日报"), field="day")
    clean = check_input(fields)
    sheet = db.session.scalar(select(DailySheet).where(DailySheet.rep_id == actor.id, DailySheet.day == day)
                              .with_for_update())
    if sheet and sheet.checked_at:
        raise AlreadyDecided(_l("该日报已在早会上核对，不能再修改"))
    before = _snapshot(sheet) if sheet else None
    clean["visits_done"] = visits_done(actor.id, day)
    try:
        with db.session.begin_nested():
            if sheet is None:
                sheet = DailySheet(rep_id=actor.id, day=day, filed_at=now_utc())
                sheet.excused = away(actor.id, day)
                sheet.late = not sheet.excused and sheet.filed_at > due_at(day)
                db.session.add(sheet)
            for key, value in clean.items():
                setattr(sheet, key, value)
            db.session.flush()
    except IntegrityError as exc:  # the same sheet filed twice at once (two tabs): one row
        raise AlreadyDecided(_l("该日的日报已提交")) from exc
    audit.record(actor, "daily_sheet.file", sheet, before=before, after=_snapshot(sheet))
    return sheet


def comment(actor: User, sheet: DailySheet, text: str) -> DailySheet:
    if actor.role not in COMMENTERS or not can_see_rep(actor, sheet.rep_id) or actor.id == sheet.rep_id:
        raise Forbidden(_l("无权批注该日报"))
    text = (text or "").strip()
    if not text:
        raise DomainError(_l("请填写批注"), field="comment")
    sheet.comment, sheet.commented_by_id = text[:2000], actor.id
    audit.record(actor, "daily_sheet.comment", sheet, after={"comment": sheet.comment})
    db.session.flush()
    return sheet


def mark_checked(actor: User, sheet_id: int) -> DailySheet:
    """The assistant's check at the morning meeting; two at once: one check counts (row lock)."""
    if actor.role not in CHECKERS:
        raise Forbidden(_l("只有销售内勤核对日报"))
    sheet = db.session.scalar(select(DailySheet).where(DailySheet.id == sheet_id).with_for_update())
    if sheet is None:
        abort(404)
    if sheet.checked_at is not None:
        raise AlreadyDecided(_l("该日报已核对"))
    sheet.checked_by_id, sheet.checked_at = actor.id, now_utc()
    audit.record(actor, "daily_sheet.check", sheet, after={"checked": True})
    db.session.flush()
    return sheet


def reps_in_scope(user: User) -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == "rep", User.active, rep_scope(user, User.id))
                                   .order_by(User.team_id, User.id)))


def day_overview(user: User, day: date) -> list[dict]:
    """Every rep the user may see, with their sheet of the day (or why it is missing)."""
    sheets = {s.rep_id: s for s in db.session.scalars(visible_query(user).where(DailySheet.day == day))}
    reps = reps_in_scope(user)
    absent = away_on([r.id for r in reps if r.id not in sheets], day)
    overdue = now_utc() > due_at(day)
    return [{"rep": rep, "sheet": sheets.get(rep.id), "away": "" if rep.id in sheets else absent.get(rep.id, ""),
             "overdue": rep.id not in sheets and overdue} for rep in reps]


def desk_summary(user: User, today: date) -> dict:
    """What the desks' daily card shows of day_overview(): today's sheets filed of how many reps, and
    yesterday's sheets not yet checked (sheet id, rep name, in the overview's order) — counted and
    listed in SQL, no rep or sheet loaded."""
    reps = (User.role == "rep", User.active, rep_scope(user, User.id))
    total = db.session.scalar(select(func.count(User.id)).where(*reps))
    filed = db.session.scalar(select(func.count(DailySheet.id)).join(User, User.id == DailySheet.rep_id)
                              .where(*reps, DailySheet.day == today))
    unchecked = db.session.execute(
        select(DailySheet.id, User.name).join(User, User.id == DailySheet.rep_id)
        .where(*reps, DailySheet.day == today - timedelta(days=1), DailySheet.checked_at.is_(None))
        .order_by(User.team_id, User.id)).all()
    return {"filed": filed, "total": total, "unchecked": unchecked}


def punctuality(rep_ids: list[int], first: date, last: date) -> dict[int, dict]:
    """Per rep: sheets filed, of which late (the report center's punctuality figures)."""
    out = {i: {"filed": 0, "late": 0} for i in rep_ids}
    for rep_id, late in db.session.execute(select(DailySheet.rep_id, DailySheet.late)
                                           .where(DailySheet.rep_id.in_(rep_ids), DailySheet.day.between(first, last))):
        out[rep_id]["filed"] += 1
        out[rep_id]["late"] += int(bool(late))
    return out


def _snapshot(sheet: DailySheet) -> dict:
    return {"day": sheet.day.isoformat(), "calls": sheet.calls, "orders_amount": str(sheet.orders_amount),
            "payments_amount": str(sheet.payments_amount), **{k: getattr(sheet, k) for k in TEXT_FIELDS}}


def remind_missing(now: datetime | None = None) -> int:
    """After the due time on a working day: one reminder per rep without a sheet (not away)."""
    from ..clock import is_workday, now_local
    from . import notify

    now = now or now_local()
    day = now.astimezone(SHANGHAI).date()
    if not is_workday(day) or now < due_at(day):
        return 0
    filed = set(db.session.scalars(select(DailySheet.rep_id).where(DailySheet.day == day)))
    written = 0
    for rep in db.session.scalars(select(User).where(User.role == "rep", User.active)):
        if rep.id in filed or away(rep.id, day):
            continue
        key = f"daily-sheet-missing:{day.isoformat()}:{rep.id}"
        if notify.todo(key, rep, str(_l("请填写 %(day)s 的销售日报表", day=day.isoformat()))):
            notify.email(key, rep.email, str(_l("销售日报表未交")),
                         str(_l("您还没有填写 %(day)s 的销售日报表，请尽快填写。", day=day.isoformat())))
            written += 1
    return written
