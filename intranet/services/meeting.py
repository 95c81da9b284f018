"""The morning meeting (早会, seed 004: 每天9:50, 不出差人员必须参加): the assistant marks who attended
and notes the targets announced and the problems raised; absences go onto the monthly sheet."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import User
from ..models.attendance import MorningMeeting
from . import attendance as att
from . import audit
from .errors import DomainError, Forbidden


def meeting_for(day: date) -> MorningMeeting | None:
    return db.session.scalar(select(MorningMeeting).where(MorningMeeting.day == day))


def expected(day: date) -> list[User]:
    """Who should attend: the department's staff not away on leave or a trip that day."""
    people = list(db.session.scalars(att.attendees_query()))
    days = att.statuses(people, day, day)
    return [p for p in people if days[p.id][0].kind not in ("leave", "trip")]


def record(actor: User, day: date, present_ids: list[int], targets: str, problems: str) -> MorningMeeting:
    """Store the meeting: everyone expected and not ticked present counts as absent."""
    if actor.role not in att.KEEPERS:
        raise Forbidden(_l("只有销售内勤记录早会"))
    if day > clock.today_local():
        raise DomainError(_l("不能记录将来的早会"), field="day")
    if not att.is_working_day(day):
        raise DomainError(_l("这一天不是工作日"), field="day")
    att.ensure_open(day)
    audit.lock()
    people = {p.id for p in expected(day)}
    present = sorted(set(present_ids) & people)
    meeting = meeting_for(day)
    before = {"present": meeting.present_ids, "absent": meeting.absent_ids} if meeting else None
    meeting = meeting or MorningMeeting(day=day, recorded_by_id=actor.id)
    meeting.present_ids, meeting.absent_ids = present, sorted(people - set(present))
    meeting.targets, meeting.problems = targets.strip(), problems.strip()
    meeting.recorded_by_id, meeting.recorded_at = actor.id, clock.now_utc()
    db.session.add(meeting)
    db.session.flush()
    audit.record(actor, "attendance.meeting", meeting, before=before,
                 after={"day": day, "present": present, "absent": meeting.absent_ids})
    return meeting
