"""Reminders through the outbox, once per occasion; and the demo on awkward days."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from intranet import clock
from intranet.attendance.demo import seed_attendance
from intranet.extensions import db
from intranet.jobs.attendance import attendance_reminders
from intranet.models import (
    ApprovalRequest,
    AttendanceRecord,
    Email,
    LeaveRequest,
    MorningMeeting,
    Todo,
    Trip,
    Violation,
)
from intranet.services import attendance as svc
from intranet.services import leave as leave_svc

from .conftest import at

DAY = date(2026, 3, 9)


def keys(prefix):
    return set(db.session.scalars(select(Todo.key).where(Todo.key.startswith(prefix))))


def test_not_checked_in_reminder_goes_once_and_only_to_those_missing(users, clock_in):
    clock_in(users["rep1"], DAY, 8, 50)
    with at(DAY, 9, 0):
        assert svc.send_reminders()["checkin"] == 0  # before 09:15 nobody is reminded
    with at(DAY, 9, 20):
        svc.send_reminders()
        db.session.commit()
        svc.send_reminders()  # the next run: nothing new
        db.session.commit()
    sent = keys(f"checkin-missing:{DAY}")
    assert f"checkin-missing:{DAY}:u{users['rep2'].id}" in sent
    assert f"checkin-missing:{DAY}:u{users['rep1'].id}" not in sent
    assert db.session.scalar(select(func.count(Email.id)).where(Email.key.startswith("checkin-missing"))) == len(sent)


def test_no_check_in_reminder_on_a_public_holiday(users):
    with at(date(2026, 2, 17), 10):
        assert svc.send_reminders()["checkin"] == 0


def test_leave_starting_tomorrow_tells_the_line_manager_once(users, decide_all, app):
    with at(DAY - timedelta(days=7)):
        leave = leave_svc.request_leave(users["rep1"], {"kind": "personal", "start_day": DAY, "end_day": DAY})
        db.session.commit()
    decide_all("leave", leave, "supervisor1", "assistant")
    moment = datetime(2026, 3, 8, 10, 0, tzinfo=clock.SHANGHAI).isoformat()
    attendance_reminders(moment)
    attendance_reminders(moment)
    db.session.expire_all()
    assert keys(f"leave-tomorrow:{leave.id}") == {f"leave-tomorrow:{leave.id}:u{users['supervisor1'].id}"}


def _clear_demo():
    for model in (AttendanceRecord, LeaveRequest, Trip, Violation, MorningMeeting):
        db.session.execute(delete(model))
    db.session.execute(delete(ApprovalRequest).where(ApprovalRequest.doc_type.in_(("leave", "trip", "violation"))))
    db.session.commit()


@pytest.mark.parametrize("moment", [datetime(2026, 3, 1, 8), datetime(2026, 2, 28, 23, 30), datetime(2027, 1, 1, 9),
                                    datetime(2026, 2, 18, 10), datetime(2026, 12, 31, 18)],
                         ids=["1st", "month-end", "new-year", "spring-festival", "last-day"])
def test_demo_works_on_any_day_and_is_quiet(users, login, moment):
    _clear_demo()
    mails = db.session.scalar(select(func.count(Email.id)))
    with at(moment.date(), moment.hour, moment.minute):
        assert seed_attendance(users) > 0
        db.session.commit()
        assert seed_attendance(users) == 0  # idempotent
        for name in ("rep1", "supervisor1", "assistant", "manager"):
            client = login(name)
            assert client.get(f"/{users[name].role}/").status_code == 200
            assert client.get("/attendance/leave").status_code == 200
        assert login("manager").get("/attendance/sheet").status_code == 200
    assert db.session.scalar(select(func.count(Email.id))) == mails
