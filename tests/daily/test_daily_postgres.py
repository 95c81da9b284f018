"""On PostgreSQL: the morning-meeting check of one sheet clicked twice at once counts once; the
daily report sent by the assistant and by the schedule at the same moment goes out once; one
rep's sheet filed from two tabs at once is one row."""

from datetime import date

import pytest
from race import race
from sqlalchemy import delete, func, select

from intranet.extensions import db
from intranet.models import DailyReportSend, DailySheet, Email, User
from intranet.services import daily_report, daily_sheets

pytestmark = pytest.mark.postgres
DAY = date(2026, 11, 18)


def _users():
    return {u.username: u.id for u in db.session.scalars(select(User))}


def test_two_checks_of_one_sheet_at_once_count_once(pg_app):
    ids = _users()
    sheet_id = db.session.scalar(select(DailySheet.id).where(DailySheet.checked_at.is_(None)))
    db.session.commit()

    def check(_i):
        daily_sheets.mark_checked(db.session.get(User, ids["assistant"]), sheet_id)
        return "ok"

    results = race(pg_app, 4, check)
    assert sorted(results)[0] == "ok" and results.count("ok") == 1, results
    assert all(r == "ok" or "已核对" in r for r in results), results


def test_report_sent_by_hand_and_by_the_schedule_at_once_goes_out_once(pg_app):
    ids = _users()
    db.session.execute(delete(DailySheet).where(DailySheet.day == DAY))
    db.session.commit()
    daily_sheets.file_sheet(db.session.get(User, ids["rep1"]), DAY, {"calls": "3", "tomorrow": "回访"})
    db.session.commit()

    def send(i):
        actor = db.session.get(User, ids["assistant"]) if i % 2 else None
        daily_report.send("daily", DAY, actor)
        return "ok"

    results = race(pg_app, 4, send)
    assert results.count("ok") == 1, results
    assert all(r == "ok" or "已发送" in r for r in results), results
    assert db.session.scalar(select(func.count(DailyReportSend.id))) == 1
    keys = db.session.scalars(select(Email.key).where(Email.key.startswith("daily-report:daily:"))).all()
    assert len(keys) == len(set(keys)) == 3


def test_one_sheet_from_two_tabs_at_once_is_one_row(pg_app):
    ids = _users()
    db.session.execute(delete(DailySheet).where(DailySheet.day == DAY))
    db.session.commit()

    def file(i):
        daily_sheets.file_sheet(db.session.get(User, ids["rep3"]), DAY, {"calls": str(i + 1), "tomorrow": "拜访"})
        return "ok"

    results = race(pg_app, 3, file)
    assert all(r == "ok" or "已提交" in r for r in results), results
    assert db.session.scalar(select(func.count(DailySheet.id)).where(DailySheet.day == DAY)) == 1
