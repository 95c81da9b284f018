"""Demo attendance, relative to today so it looks lived in on any day (1 January, inside the Spring
Festival, the last day of a month): the last working days clocked for every attendee (one late
arrival for rep2), an approved leave for rep2 next week, an approved trip for rep3 and a pending one
for rep4. Written as rows (the services clock "now"); quiet: no emails or to-dos."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from .. import clock
from ..demo import SEED_HOOKS
from ..extensions import db
from ..models import ApprovalRequest
from ..models.attendance import (
    APPROVED,
    PENDING,
    AttendanceRecord,
    LeaveRequest,
    MorningMeeting,
    Trip,
    Violation,
)
from ..services import attendance as svc
from ..services import leave as leave_svc
from ..services import trips as trip_svc
from ..services import violations as violation_svc

BACK_DAYS = 10


def seed_attendance(users: dict) -> int:
    if db.session.scalar(select(AttendanceRecord.id).limit(1)) is not None:
        return 0
    today = clock.today_local()
    created = _clock_past_days(users, today)
    created += _leave(users["rep2"], today)
    created += _trip(users["rep1"], today - timedelta(days=24), APPROVED, "宁波", Decimal("1800.00"))
    created += _trip(users["rep3"], today, APPROVED, "深圳", Decimal("1800.00"))
    created += _past_half_day(users["rep1"], today)
    created += _slip(users["rep1"], users["supervisor1"], today)
    created += _meeting(users, today)
    created += _trip(users["rep4"], today + timedelta(days=7), PENDING, "厦门", Decimal("4200.00"))
    db.session.flush()
    return created


def _clock_past_days(users: dict, today) -> int:
    created = 0
    people = [u for u in users.values() if u.role in svc.ATTENDEE_ROLES]
    for offset in range(BACK_DAYS, 0, -1):
        day = today - timedelta(days=offset)
        if not svc.is_working_day(day):
            continue
        for i, person in enumerate(people):
            minute = 50 + (i * 3) % 9
            hour = 8
            if person.username == "rep2" and offset % 4 == 1:
                hour, minute = 9, 7  # seven minutes late: a ¥20 fine on the sheet
            db.session.add(AttendanceRecord(user_id=person.id, day=day,
                                            check_in_at=clock.local_instant(day, hour, minute),
                                            check_out_at=clock.local_instant(day, 17, 35 + i % 20)))
            created += 1
    return created


def _next_working(day, count=1):
    found = []
    while len(found) < count:
        day += timedelta(days=1)
        if svc.is_working_day(day):
            found.append(day)
    return found


def _leave(rep, today) -> int:
    days = _next_working(today + timedelta(days=4), 2)
    leave = LeaveRequest(user_id=rep.id, kind="personal", start_day=days[0], end_day=days[-1],
                         days=leave_svc.count_days(days[0], False, days[-1], False), reason="家中有事",
                         status=APPROVED, approved_at=clock.now_utc())
    db.session.add(leave)
    db.session.flush()
    _request(leave_svc.DOC_TYPE, leave, rep, leave_svc.ADAPTER.title(leave), None, "approved")
    return 1


def _past_half_day(rep, today) -> int:
    """A sick afternoon three working days ago: already taken, so it can no longer be cancelled."""
    day = today - timedelta(days=1)
    while not svc.is_working_day(day) or (today - day).days < 3:
        day -= timedelta(days=1)
    leave = LeaveRequest(user_id=rep.id, kind="sick", start_day=day, start_pm=True, end_day=day, days=Decimal("0.5"),
                         reason="看病", status=APPROVED, approved_at=clock.now_utc())
    db.session.add(leave)
    db.session.flush()
    _request(leave_svc.DOC_TYPE, leave, rep, leave_svc.ADAPTER.title(leave), None, "approved")
    return 1


def _slip(rep, supervisor, today) -> int:
    slip = Violation(user_id=rep.id, kind="fault", rule="seal_out", amount=Decimal("50.00"), day=today,
                     evidence="未经同意将经济合同章带到客户处盖章。", occurrence=1, filed_by_id=supervisor.id,
                     status=PENDING)
    slip.user, slip.filed_by = rep, supervisor
    db.session.add(slip)
    db.session.flush()
    _request(violation_svc.DOC_TYPE, slip, supervisor, violation_svc.ADAPTER.title(slip), slip.amount, "pending",
             preparers=[rep.id])
    return 1


def _meeting(users, today) -> int:
    day = today - timedelta(days=1)
    while not svc.is_working_day(day):
        day -= timedelta(days=1)
    people = [u for u in users.values() if u.role in svc.ATTENDEE_ROLES]
    absent = [users["rep4"].id]
    db.session.add(MorningMeeting(day=day, recorded_by_id=users["assistant"].id, absent_ids=absent,
                                  present_ids=sorted(p.id for p in people if p.id not in absent),
                                  targets="周杰：本周回款 20 万；郑爽：签下广州珠江饮品的年度滤芯合同。",
                                  problems="华南区两家经销商反映发货慢，内勤跟进仓库。"))
    return 1


def _trip(rep, start, status, where, cost) -> int:
    trip = Trip(user_id=rep.id, destination=where, start_day=start, end_day=start + timedelta(days=2),
                purpose="拜访区域经销商，催收货款", customers="区域经销商", estimated_cost=cost,
                advance_needed=Decimal("1000.00"), status=status)
    trip.user = rep
    db.session.add(trip)
    db.session.flush()
    _request(trip_svc.DOC_TYPE, trip, rep, trip_svc.ADAPTER.title(trip), cost,
             "approved" if status == APPROVED else "pending")
    return 1


def _request(doc_type, doc, submitter, title, amount, status, preparers=()) -> None:
    """The engine's row for a demo document (made directly so seeding sends no notices)."""
    steps = [{"name": "直属上级审批", "approver_kind": "line_manager", "role": None, "min_amount": None,
              "reviewers": 1}]
    db.session.add(ApprovalRequest(doc_type=doc_type, doc_id=doc.id, submitter_id=submitter.id, title=title[:200],
                                   amount=amount, steps=steps, status=status, preparer_ids=list(preparers),
                                   current_step=1 if status == "approved" else 0))


SEED_HOOKS.append(seed_attendance)
