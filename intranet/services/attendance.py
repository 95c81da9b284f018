"""Attendance (考勤, SPEC 2.3): working days, check-in/out, corrections (补卡), the day status and its
fines, the team views, the monthly sheet (考勤表) and the month close.

Rules, whatever the UI shows:
- the server clock decides the time (Asia/Shanghai); one check-in per person and day (a unique row,
  taken under the audit chain lock, so two clicks at the same moment store one record);
- a working day is the public-holiday calendar with its adjusted weekends (clock.is_workday), and a
  company day off / extra working day entered here always wins over it;
- only unexcused (无故) lateness is fined: ≤ band 1 (10 min) ¥20, ≤ band 2 (60 min) ¥50, beyond that
  "per company rules" — `late_over_half_days` half days of absence (旷工), or the band-2 fine if 0.
  Lateness on a field day (approved visits), a trip day, or a corrected day (补卡 with a reason) is
  excused; a half day of leave moves the expected start (or end) to `midday`;
- a closed month is locked: every change to one of its days is refused here until the manager reopens it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..extensions import db
from ..models import User
from ..models.attendance import (
    APPROVED,
    AttendanceCorrection,
    AttendanceMonth,
    AttendanceRecord,
    CalendarOverride,
    LeaveRequest,
    MorningMeeting,
    Trip,
    Violation,
)
from ..models.visits import PlannedVisit, VisitPlan
from . import audit, notify
from . import settings as company_settings
from .errors import DomainError, Forbidden

# The sales department's staff who clock in and appear on the sheet.
ATTENDEE_ROLES = ("rep", "supervisor", "assistant", "manager")
DEPARTMENT_VIEW = ("manager", "director", "gm", "assistant")
KEEPERS = ("assistant",)  # 考勤 is the assistant's (seed 002: 负责销售人员考勤、请假审批)
ZERO = Decimal("0.00")

KIND_LABELS = {"normal": _l("正常"), "late": _l("迟到"), "early": _l("早退"), "absent": _l("旷工"),
               "leave": _l("请假"), "trip": _l("出差"), "field": _l("外勤"), "rest": _l("休息"),
               "pending": _l("未签到"), "future": ""}
# One character per day in the team grid.
KIND_MARKS = {"normal": "✓", "late": "迟", "early": "早", "absent": "旷", "leave": "假", "trip": "差",
              "field": "外", "rest": "", "pending": "?", "future": ""}
SOURCE_LABELS = {"desk": _l("电脑"), "phone": _l("手机"), "field": _l("外勤")}


# ---- the calendar ------------------------------------------------------------------------

def overrides_between(first: date, last: date) -> dict[date, str]:
    rows = db.session.scalars(select(CalendarOverride).where(CalendarOverride.day.between(first, last)))
    return {r.day: r.kind for r in rows}


def is_working_day(day: date, overrides: dict[date, str] | None = None) -> bool:
    """The company's own day off / extra working day first, then the public calendar (调休 included)."""
    if overrides is None:
        overrides = overrides_between(day, day)
    if day in overrides:
        return overrides[day] == "work"
    return clock.is_workday(day)


def working_days(first: date, last: date, overrides: dict[date, str] | None = None) -> list[date]:
    if overrides is None:
        overrides = overrides_between(first, last)
    days, day = [], first
    while day <= last:
        if is_working_day(day, overrides):
            days.append(day)
        day += timedelta(days=1)
    return days


def set_override(actor: User, day: date, kind: str, note: str = "") -> CalendarOverride | None:
    """Add (kind "off"/"work") or remove (kind "") a company calendar day."""
    if actor.role not in (*KEEPERS, "manager"):
        raise Forbidden(_l("只有销售内勤或销售经理可以调整公司日历"))
    if kind not in ("off", "work", ""):
        raise DomainError(_l("请选择休息日或工作日"), field="kind")
    ensure_open(day)
    row = db.session.scalar(select(CalendarOverride).where(CalendarOverride.day == day))
    before = {"kind": row.kind, "note": row.note} if row else None
    if not kind:
        if row is None:
            raise DomainError(_l("这一天没有公司调整"), field="day")
        db.session.delete(row)
        db.session.flush()
        audit.record(actor, "attendance.calendar.remove", object_type="CalendarOverride", object_id=row.id,
                     before={"day": day, **before})
        return None
    row = row or CalendarOverride(day=day, created_by_id=actor.id)
    row.kind, row.note = kind, note.strip()[:120]
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "attendance.calendar.set", row, before=before, after={"day": day, "kind": kind, "note": note})
    return row


# ---- month lock ----------------------------------------------------------------------------

def month_row(month: str) -> AttendanceMonth | None:
    return db.session.scalar(select(AttendanceMonth).where(AttendanceMonth.month == month))


def is_closed(month: str) -> bool:
    row = month_row(month)
    return row is not None and row.closed


def ensure_open(*days: date) -> None:
    """Refuse any change touching a closed month (the sheet went to HR)."""
    for month in sorted({clock.month_of(d) for d in days}):
        if is_closed(month):
            raise DomainError(_l("%(month)s 的考勤已结账锁定，不能修改；如需更改请销售经理先重新开启", month=month))


def ensure_range_open(first: date, last: date) -> None:
    month, end = clock.month_of(first), clock.month_of(last)
    while month <= end:
        ensure_open(clock.month_bounds(month)[0])
        month = clock.add_months(month, 1)


# ---- scope -------------------------------------------------------------------------------

def attendees_query():
    return select(User).where(User.role.in_(ATTENDEE_ROLES), User.active).order_by(User.team_id, User.role, User.id)


def visible_people(user: User) -> list[User]:
    """Whose attendance `user` may read: own; a supervisor's team; the department for leadership."""
    if user.role in DEPARTMENT_VIEW:
        return list(db.session.scalars(attendees_query()))
    if user.role == "supervisor":
        return list(db.session.scalars(attendees_query().where(
            or_(User.id == user.id, User.reports_to_id == user.id))))
    return [user] if user.role in ATTENDEE_ROLES else []


def can_see_person(user: User, person: User) -> bool:
    if user.id == person.id or user.role in DEPARTMENT_VIEW:
        return True
    return user.role == "supervisor" and person.reports_to_id == user.id


def person_or_404(user: User, person_id: int) -> User:
    person = db.session.get(User, person_id)
    if person is None or not can_see_person(user, person):
        abort(404)
    return person


# ---- check-in / check-out ------------------------------------------------------------------

def todays_visits(user: User, day: date) -> list[PlannedVisit]:
    """The person's approved visits of the day (a field day)."""
    return list(db.session.scalars(
        select(PlannedVisit).join(VisitPlan).where(VisitPlan.rep_id == user.id, VisitPlan.status == "approved",
                                                   PlannedVisit.date == day).order_by(PlannedVisit.id)))


def visits_by_person(user_ids, day: date) -> dict[int, list[PlannedVisit]]:
    """todays_visits() for many people in one query: {user id: their approved visits of the day}."""
    out: dict[int, list[PlannedVisit]] = {}
    user_ids = list(user_ids)
    rows = db.session.execute(
        select(VisitPlan.rep_id, PlannedVisit).join(VisitPlan).where(
            VisitPlan.rep_id.in_(user_ids), VisitPlan.status == "approved", PlannedVisit.date == day)
        .order_by(PlannedVisit.id))
    for rep_id, visit in rows:
        out.setdefault(rep_id, []).append(visit)
    return out


def record_for(user_id: int, day: date, lock: bool = False) -> AttendanceRecord | None:
    stmt = select(AttendanceRecord).where(AttendanceRecord.user_id == user_id, AttendanceRecord.day == day)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(stmt)


def check_in(actor: User, person: User | None = None, *, source: str = "desk",
             visit_id: int | None = None) -> AttendanceRecord:
    """Clock in now. Nobody clocks in for somebody else (the assistant uses a correction, 补卡)."""
    if person is not None and person.id != actor.id:
        raise Forbidden(_l("不能替他人签到；漏打卡请由销售内勤补卡"))
    if actor.role not in ATTENDEE_ROLES:
        raise Forbidden(_l("您的岗位不在销售部考勤范围内"))
    now = clock.now_utc()
    today = clock.today_local()
    ensure_open(today)
    visit = _field_visit(actor, today, visit_id) if visit_id else None
    audit.lock()  # lock order: audit chain first; it also serialises two clicks of the same person
    existing = record_for(actor.id, today, lock=True)
    if existing is not None and existing.check_in_at is not None:
        raise DomainError(_l("今天已经签到（%(time)s），不能重复签到", time=_hhmm(existing.check_in_at)),
                          field="check_in")
    record = existing or AttendanceRecord(user_id=actor.id, day=today)
    record.check_in_at, record.planned_visit_id = now, visit.id if visit else None
    record.source = "field" if visit else (source if source in SOURCE_LABELS else "desk")
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError as exc:  # the other click won: its row is the one that counts
        raise DomainError(_l("今天已经签到，不能重复签到"), field="check_in") from exc
    audit.record(actor, "attendance.check_in", record,
                 after={"day": today, "at": now, "source": record.source, "visit": record.planned_visit_id})
    return record


def _field_visit(actor: User, day: date, visit_id: int) -> PlannedVisit:
    visit = next((v for v in todays_visits(actor, day) if v.id == visit_id), None)
    if visit is None:
        raise DomainError(_l("请选择今天已批准的拜访"), field="visit_id")
    return visit


def check_out(actor: User) -> AttendanceRecord:
    """Clock out now; a later check-out replaces an earlier one (the last one counts)."""
    today = clock.today_local()
    ensure_open(today)
    audit.lock()
    record = record_for(actor.id, today, lock=True)
    if record is None or record.check_in_at is None:
        raise DomainError(_l("今天还没有签到，不能签退"), field="check_out")
    before = record.check_out_at
    record.check_out_at = clock.now_utc()
    db.session.flush()
    audit.record(actor, "attendance.check_out", record, before={"at": before}, after={"at": record.check_out_at})
    return record


def _hhmm(moment: datetime) -> str:
    return moment.astimezone(clock.SHANGHAI).strftime("%H:%M")


# ---- corrections (补卡) ------------------------------------------------------------------------

def correct(actor: User, person: User, day: date, check_in_at: time | None, check_out_at: time | None,
            reason: str) -> AttendanceCorrection:
    """The assistant records or corrects a day; the clocked record stays as it was."""
    if actor.role not in KEEPERS:
        raise Forbidden(_l("只有销售内勤可以补卡"))
    if person.id == actor.id:
        raise Forbidden(_l("不能为自己补卡（双人复核）"))
    if person.role not in ATTENDEE_ROLES:
        raise DomainError(_l("此人不在销售部考勤范围内"), field="user_id")
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _l("请填写补卡原因")
    if day > clock.today_local():
        errors["day"] = _l("不能为将来的日期补卡")
    if check_in_at is None and check_out_at is None:
        errors["check_in"] = _l("请至少填写签到或签退时间")
    if check_in_at and check_out_at and check_out_at <= check_in_at:
        errors["check_out"] = _l("签退时间必须晚于签到时间")
    if errors:
        raise InputErrors(errors)
    ensure_open(day)
    audit.lock()
    row = AttendanceCorrection(user_id=person.id, day=day, check_in_at=_instant(day, check_in_at),
                               check_out_at=_instant(day, check_out_at), reason=reason.strip(), by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    original = record_for(person.id, day)
    audit.record(actor, "attendance.correct", row, before={
        "in": original.check_in_at if original else None, "out": original.check_out_at if original else None},
        after={"user": person.username, "day": day, "in": row.check_in_at, "out": row.check_out_at,
               "reason": row.reason})
    return row


def _instant(day: date, moment: time | None) -> datetime | None:
    if moment is None:
        return None
    return datetime.combine(day, moment, tzinfo=clock.SHANGHAI).astimezone(UTC)


class InputErrors(DomainError):
    """Several field errors at once."""

    def __init__(self, errors: dict):
        first = next(iter(errors))
        super().__init__(errors[first], field=first)
        self.errors = errors


def corrections_for(person_id: int, day: date) -> list[AttendanceCorrection]:
    return list(db.session.scalars(select(AttendanceCorrection).where(
        AttendanceCorrection.user_id == person_id, AttendanceCorrection.day == day).order_by(AttendanceCorrection.id)))


# ---- rules ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rules:
    work_start: time
    work_end: time
    midday: time
    grace_minutes: int
    band1_minutes: int
    band1_fine: Decimal
    band2_minutes: int
    band2_fine: Decimal
    over_half_days: int

    @classmethod
    def current(cls) -> Rules:
        get = company_settings.get
        return cls(get("work_start"), get("work_end"), get("midday"), get("late_grace_minutes"),
                   get("late_band1_minutes"), get("late_band1_fine"), get("late_band2_minutes"),
                   get("late_band2_fine"), get("late_over_half_days"))


@dataclass
class DayFacts:
    """What is known about one person's day, gathered once for many days."""

    working: bool
    check_in: datetime | None = None
    check_out: datetime | None = None
    corrected: bool = False
    leave_kind: str | None = None
    leave_part: str | None = None  # full / am / pm
    trip: bool = False
    visits: int = 0


@dataclass
class DayStatus:
    day: date
    kind: str
    late_seconds: int = 0
    early_seconds: int = 0
    fine: Decimal = ZERO
    absence_days: Decimal = ZERO
    leave_kind: str | None = None
    leave_days: Decimal = ZERO
    excused: str = ""  # why lateness is not fined
    check_in: datetime | None = None
    check_out: datetime | None = None
    corrected: bool = False
    visits: int = 0

    @property
    def late_minutes(self) -> int:
        return math.ceil(self.late_seconds / 60)

    @property
    def label(self):
        return KIND_LABELS[self.kind]

    @property
    def mark(self) -> str:
        return KIND_MARKS[self.kind]


def late_outcome(seconds: int, rules: Rules) -> tuple[Decimal, Decimal]:
    """(fine, absence days) of unexcused lateness of `seconds` (seed 004: 含10分钟, 含1小时)."""
    if seconds <= 0:
        return ZERO, ZERO
    if seconds <= rules.band1_minutes * 60:
        return rules.band1_fine, ZERO
    if seconds <= rules.band2_minutes * 60 or rules.over_half_days == 0:
        return rules.band2_fine, ZERO
    return ZERO, Decimal(rules.over_half_days) / 2


def evaluate(day: date, facts: DayFacts, rules: Rules, now: datetime) -> DayStatus:
    """The day status from the facts: the one place the attendance rules are applied."""
    today = now.astimezone(clock.SHANGHAI).date()
    status = DayStatus(day, "rest", check_in=facts.check_in, check_out=facts.check_out, corrected=facts.corrected,
                       visits=facts.visits)
    if not facts.working:
        return status
    if day > today:
        status.kind = "leave" if facts.leave_part == "full" else ("trip" if facts.trip else "future")
        status.leave_kind = facts.leave_kind if facts.leave_part == "full" else None
        return status
    if facts.leave_part == "full":
        status.kind, status.leave_kind, status.leave_days = "leave", facts.leave_kind, Decimal("1.0")
        return status
    if facts.trip:
        status.kind = "trip"
        return status
    half = facts.leave_part in ("am", "pm")
    if half:
        status.leave_kind, status.leave_days = facts.leave_kind, Decimal("0.5")
    start = rules.midday if facts.leave_part == "am" else rules.work_start
    end = rules.midday if facts.leave_part == "pm" else rules.work_end
    if facts.check_in is None:
        if facts.visits:
            status.kind = "field"
        elif day == today and now.astimezone(clock.SHANGHAI).time() < end:
            status.kind = "pending"
        else:
            status.kind, status.absence_days = "absent", Decimal("0.5") if half else Decimal("1.0")
        return status
    _apply_times(status, facts, rules, start, end, day)
    return status


def _apply_times(status: DayStatus, facts: DayFacts, rules: Rules, start: time, end: time, day: date) -> None:
    local_in = facts.check_in.astimezone(clock.SHANGHAI)
    late = int((local_in - datetime.combine(day, start, tzinfo=clock.SHANGHAI)).total_seconds())
    status.late_seconds = late if late > rules.grace_minutes * 60 else 0
    if facts.check_out is not None:
        local_out = facts.check_out.astimezone(clock.SHANGHAI)
        early = int((datetime.combine(day, end, tzinfo=clock.SHANGHAI) - local_out).total_seconds())
        status.early_seconds = max(early, 0)
    status.excused = _excuse(facts)
    if status.late_seconds and not status.excused:
        status.fine, status.absence_days = late_outcome(status.late_seconds, rules)
    if status.late_seconds and not status.excused:
        status.kind = "late"
    elif status.early_seconds and not status.excused:
        status.kind = "early"
    else:
        status.kind = "field" if facts.visits else "normal"


def _excuse(facts: DayFacts) -> str:
    if facts.corrected:
        return str(_l("已补卡说明"))
    if facts.visits:
        return str(_l("外勤拜访"))
    return ""


# ---- facts for many people and days --------------------------------------------------------------

def gather(people: list[User], first: date, last: date) -> dict[int, dict[date, DayFacts]]:
    """Every fact of these people's days between first and last, in a handful of queries."""
    ids = [p.id for p in people]
    overrides = overrides_between(first, last)
    facts = {pid: {} for pid in ids}
    day = first
    while day <= last:
        working = is_working_day(day, overrides)
        for pid in ids:
            facts[pid][day] = DayFacts(working)
        day += timedelta(days=1)
    if not ids:
        return facts
    _add_records(facts, ids, first, last)
    _add_leave(facts, ids, first, last)
    _add_trips(facts, ids, first, last)
    _add_visits(facts, ids, first, last)
    return facts


def _add_records(facts, ids, first, last) -> None:
    for r in db.session.scalars(select(AttendanceRecord).where(
            AttendanceRecord.user_id.in_(ids), AttendanceRecord.day.between(first, last))):
        f = facts[r.user_id][r.day]
        f.check_in, f.check_out = r.check_in_at, r.check_out_at
    for c in db.session.scalars(select(AttendanceCorrection).where(
            AttendanceCorrection.user_id.in_(ids), AttendanceCorrection.day.between(first, last))
            .order_by(AttendanceCorrection.id)):
        f = facts[c.user_id][c.day]
        f.check_in = c.check_in_at or f.check_in
        f.check_out = c.check_out_at or f.check_out
        f.corrected = True


def leave_parts(leave: LeaveRequest, first: date, last: date):
    """(day, part) for each calendar day of the leave inside first..last: full / am / pm."""
    day = max(leave.start_day, first)
    while day <= min(leave.end_day, last):
        part = "full"
        if day == leave.start_day and leave.start_pm:
            part = "pm"
        if day == leave.end_day and leave.end_am:
            part = "am"
        yield day, part
        day += timedelta(days=1)


def _add_leave(facts, ids, first, last) -> None:
    for leave in db.session.scalars(select(LeaveRequest).where(
            LeaveRequest.user_id.in_(ids), LeaveRequest.status == APPROVED,
            LeaveRequest.start_day <= last, LeaveRequest.end_day >= first)):
        for day, part in leave_parts(leave, first, last):
            f = facts[leave.user_id][day]
            f.leave_kind = leave.kind
            f.leave_part = "full" if f.leave_part and f.leave_part != part else part


def _add_trips(facts, ids, first, last) -> None:
    for trip in db.session.scalars(select(Trip).where(
            Trip.user_id.in_(ids), Trip.status == APPROVED, Trip.start_day <= last, Trip.end_day >= first)):
        day = max(trip.start_day, first)
        while day <= min(trip.end_day, last):
            facts[trip.user_id][day].trip = True
            day += timedelta(days=1)


def _add_visits(facts, ids, first, last) -> None:
    rows = db.session.execute(select(VisitPlan.rep_id, PlannedVisit.date).join(VisitPlan).where(
        VisitPlan.rep_id.in_(ids), VisitPlan.status == "approved", PlannedVisit.date.between(first, last)))
    for rep_id, day in rows:
        facts[rep_id][day].visits += 1


def statuses(people: list[User], first: date, last: date, now: datetime | None = None) -> dict[int, list[DayStatus]]:
    now = now or clock.now_utc()
    rules = Rules.current()
    facts = gather(people, first, last)
    return {pid: [evaluate(day, f, rules, now) for day, f in sorted(days.items())] for pid, days in facts.items()}


def day_status(person: User, day: date, now: datetime | None = None) -> DayStatus:
    return statuses([person], day, day, now)[person.id][0]


# ---- today's board and the team calendar -------------------------------------------------------

def today_board(user: User, with_visits: bool = True) -> list[dict]:
    """Who is in, late, not yet in (after the reminder time), out visiting, on leave or a trip; with
    each person's visits of the day unless `with_visits` is false (the desk card shows only counts)."""
    today, now = clock.today_local(), clock.now_utc()
    people = visible_people(user)
    days = statuses(people, today, today, now)
    remind_at = company_settings.get("checkin_remind_at")
    overdue = now.astimezone(clock.SHANGHAI).time() >= remind_at
    visits = visits_by_person([p.id for p in people if days[p.id][0].visits], today) if with_visits else {}
    rows = []
    for person in people:
        status = days[person.id][0]
        rows.append({"person": person, "status": status,
                     "missing": status.kind == "pending" and overdue,
                     "visits": visits.get(person.id, []) if status.visits else []})
    return rows


def team_calendar(user: User, month: str, team_id: int | None = None) -> dict:
    first, last = clock.month_bounds(month)
    people = [p for p in visible_people(user) if not team_id or p.team_id == team_id]
    days = statuses(people, first, last)
    calendar_days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return {"people": people, "days": calendar_days, "grid": days, "month": month}


# ---- the monthly sheet ------------------------------------------------------------------------------

SHEET_FIELDS = ("workdays", "present", "late_count", "late_minutes", "late_fines", "violation_fines", "rewards",
                "fines", "absence_days", "trip_days", "field_days", "meeting_absences", "violations",
                "leave")


def compute_sheet(month: str, now: datetime | None = None) -> list[dict]:
    """One row per attendee: the figures the assistant sends to HR (考勤表)."""
    now = now or clock.now_utc()
    first, last = clock.month_bounds(month)
    people = list(db.session.scalars(attendees_query()))
    days = statuses(people, first, last, now)
    meetings = _meeting_absences(first, last)
    slips = _violations(first, last)
    return [_sheet_row(p, days[p.id], meetings.get(p.id, 0), slips.get(p.id, [])) for p in people]


def _sheet_row(person: User, days: list[DayStatus], meeting_absences: int, slips: list[Violation]) -> dict:
    leave: dict[str, Decimal] = defaultdict(lambda: Decimal("0.0"))
    for d in days:
        if d.leave_kind and d.leave_days:
            leave[d.leave_kind] += d.leave_days
    late = [d for d in days if d.kind == "late"]
    late_fines = sum((d.fine for d in days), ZERO)
    faults = sum((v.amount for v in slips if v.kind == "fault"), ZERO)
    rewards = sum((v.amount for v in slips if v.kind == "reward"), ZERO)
    return {
        "user_id": person.id, "name": person.name, "username": person.username,
        "team": person.team.name if person.team else "",
        "workdays": sum(1 for d in days if d.kind not in ("rest",)),
        "present": sum(1 for d in days if d.kind in ("normal", "late", "early", "field")),
        "late_count": len(late), "late_minutes": sum(d.late_minutes for d in late),
        "late_fines": late_fines, "violation_fines": faults, "rewards": rewards, "fines": late_fines + faults,
        "absence_days": sum((d.absence_days for d in days), Decimal("0.0")),
        "trip_days": sum(1 for d in days if d.kind == "trip"),
        "field_days": sum(1 for d in days if d.kind == "field"),
        "meeting_absences": meeting_absences, "violations": len(slips),
        "leave": {k: v for k, v in sorted(leave.items())},
    }


def _meeting_absences(first: date, last: date) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for meeting in db.session.scalars(select(MorningMeeting).where(MorningMeeting.day.between(first, last))):
        for uid in meeting.absent_ids or []:
            counts[int(uid)] += 1
    return counts


def _violations(first: date, last: date) -> dict[int, list[Violation]]:
    found: dict[int, list[Violation]] = defaultdict(list)
    for v in db.session.scalars(select(Violation).where(Violation.status == APPROVED,
                                                        Violation.day.between(first, last))):
        found[v.user_id].append(v)
    return found


def sheet(month: str) -> tuple[list[dict], AttendanceMonth | None]:
    """The frozen sheet of a closed month, else the live figures."""
    row = month_row(month)
    if row is not None and row.closed:
        return [_thaw(r) for r in row.sheet["rows"]], row
    return compute_sheet(month), row


def _freeze(row: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else {kk: str(vv) for kk, vv in v.items()}
                if isinstance(v, dict) else v) for k, v in row.items()}


def _thaw(row: dict) -> dict:
    money = ("late_fines", "violation_fines", "rewards", "fines")
    out = dict(row)
    for key in money:
        out[key] = Decimal(row[key])
    out["absence_days"] = Decimal(row["absence_days"])
    out["leave"] = {k: Decimal(v) for k, v in row["leave"].items()}
    return out


def close_month(actor: User, month: str) -> AttendanceMonth:
    if actor.role not in KEEPERS:
        raise Forbidden(_l("只有销售内勤可以结账考勤"))
    first, last = clock.month_bounds(month)
    if last >= clock.today_local():
        raise DomainError(_l("只能结账已经结束的月份"), field="month")
    audit.lock()
    row = month_row(month)
    if row is not None and row.closed:
        raise DomainError(_l("%(month)s 的考勤已结账", month=month), field="month")
    rows = [_freeze(r) for r in compute_sheet(month)]
    row = row or AttendanceMonth(month=month)
    row.closed, row.sheet = True, {"rows": rows}
    row.closed_by_id, row.closed_at = actor.id, clock.now_utc()
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "attendance.month.close", row, after={"month": month, "people": len(rows)})
    return row


def reopen_month(actor: User, month: str, reason: str) -> AttendanceMonth:
    if actor.role != "manager":
        raise Forbidden(_l("只有销售经理可以重新开启已结账的月份"))
    if not (reason or "").strip():
        raise DomainError(_l("请填写重新开启的原因"), field="reason")
    audit.lock()
    row = month_row(month)
    if row is None or not row.closed:
        raise DomainError(_l("%(month)s 的考勤尚未结账", month=month), field="month")
    row.closed = False
    row.reopened_by_id, row.reopened_at, row.reopen_reason = actor.id, clock.now_utc(), reason.strip()
    db.session.flush()
    audit.record(actor, "attendance.month.reopen", row, before={"closed": True},
                 after={"month": month, "reason": row.reopen_reason})
    return row


# ---- reminders --------------------------------------------------------------------------------

def send_reminders(now: datetime | None = None) -> dict[str, int]:
    """Not checked in by `checkin_remind_at` (to the person); leave starting tomorrow (to the line
    manager). One notify key per occasion, so reruns remind nobody twice."""
    now = now or clock.now_utc()
    local = now.astimezone(clock.SHANGHAI)
    today = local.date()
    sent = {"checkin": 0, "leave": 0}
    if local.time() >= company_settings.get("checkin_remind_at") and is_working_day(today):
        people = list(db.session.scalars(attendees_query()))
        days = statuses(people, today, today, now)
        for person in people:
            status = days[person.id][0]
            if status.kind == "pending" and status.leave_kind is None:  # a morning off is not late yet
                key = f"checkin-missing:{today}:u{person.id}"
                if _tell_once(key, person, str(_l("您今天（%(day)s）还没有签到", day=today)),
                              str(_l("上班时间已过，系统中还没有您今天的签到记录。如在外勤，请用手机选择拜访签到。"))):
                    sent["checkin"] += 1
    tomorrow = today + timedelta(days=1)
    for leave in db.session.scalars(select(LeaveRequest).where(LeaveRequest.status == APPROVED,
                                                               LeaveRequest.start_day == tomorrow)):
        boss = leave.user.reports_to
        if boss is None:
            continue
        key = f"leave-tomorrow:{leave.id}:u{boss.id}"
        if _tell_once(key, boss, str(_l("%(name)s 明天（%(day)s）开始请假", name=leave.user.name, day=tomorrow)),
                      str(_l("%(name)s 的请假自 %(start)s 至 %(end)s，共 %(days)s 天。", name=leave.user.name,
                             start=leave.start_day, end=leave.end_day, days=leave.days))):
            sent["leave"] += 1
    return sent


def _tell_once(key: str, user: User, subject: str, body: str) -> bool:
    from ..models import Todo

    if db.session.scalar(select(Todo.id).where(Todo.key == key)):
        return False
    notify.tell(key, user, subject, body, "/attendance/")
    return True
