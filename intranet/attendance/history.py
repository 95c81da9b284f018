"""Demo history: check-in and check-out for every attendee on the working days of the last quarter
before the ten days attendance/demo.py clocks (a late morning now and then, a day on a business trip
skipped). Written as rows; idempotent per person and day."""

from datetime import timedelta

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models.attendance import AttendanceRecord, Trip
from ..services import attendance as svc

HISTORY_DAYS = 90


def seed_history_attendance(users: dict) -> int:
    today = clock.today_local()
    first = today - timedelta(days=HISTORY_DAYS)
    people = [u for u in users.values() if u.role in svc.ATTENDEE_ROLES]
    seen = set(db.session.execute(select(AttendanceRecord.user_id, AttendanceRecord.day)
                                  .where(AttendanceRecord.day >= first)).all())
    away = set()
    for trip in db.session.scalars(select(Trip).where(Trip.end_day >= first)):
        day = trip.start_day
        while day <= trip.end_day:
            away.add((trip.user_id, day))
            day += timedelta(days=1)
    created = 0
    for offset in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=offset)
        if not svc.is_working_day(day):
            continue
        for i, person in enumerate(people):
            if (person.id, day) in seen or (person.id, day) in away:
                continue
            hour, minute = 8, 40 + (i * 7 + offset) % 19
            if (offset * 3 + i * 5) % 41 == 0:
                hour, minute = 9, 3 + (offset + i) % 12  # late now and then
            db.session.add(AttendanceRecord(user_id=person.id, day=day,
                                            check_in_at=clock.local_instant(day, hour, minute),
                                            check_out_at=clock.local_instant(day, 17, 32 + (i * 3 + offset) % 25)))
            created += 1
    db.session.flush()
    return created
