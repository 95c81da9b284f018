"""Acceptance 4: concurrent check-ins by the same person store one record (PostgreSQL); and the whole
leave route on PostgreSQL."""

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from intranet.extensions import db
from intranet.models import AttendanceRecord, User
from intranet.services import approvals, audit
from intranet.services import attendance as svc
from intranet.services import leave as leave_svc
from intranet.services.errors import DomainError

from .conftest import at

pytestmark = pytest.mark.postgres
DAY = date(2026, 3, 9)


def test_concurrent_check_ins_by_one_person_store_one_record(pg_app):
    rep_id = db.session.scalar(select(User.id).where(User.username == "rep1"))
    results: list[str] = []
    start = threading.Barrier(8)

    def click() -> None:
        with pg_app.app_context():
            start.wait(60)
            try:
                svc.check_in(db.session.get(User, rep_id))
                db.session.commit()
                results.append("ok")
            except DomainError as exc:
                db.session.rollback()
                results.append(str(exc.message))
            except Exception as exc:  # noqa: BLE001 — reported by the assertion below
                db.session.rollback()
                results.append(f"error: {exc!r}")
            finally:
                db.session.remove()

    with at(DAY, 8, 58):
        threads = [threading.Thread(target=click) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    assert results.count("ok") == 1, results
    assert all(r == "ok" or "已经签到" in r for r in results), results
    count = db.session.scalar(select(func.count(AttendanceRecord.id)).where(
        AttendanceRecord.user_id == rep_id, AttendanceRecord.day == DAY))
    assert count == 1
    assert audit.verify() is None


def test_leave_through_its_route_on_postgresql(pg_app):
    users = {u.username: u for u in db.session.scalars(select(User))}
    with at(date(2026, 3, 2)):
        leave = leave_svc.request_leave(users["rep3"], {"kind": "sick", "start_day": DAY, "end_day": DAY})
        db.session.commit()
        req = leave_svc.approval_request(leave)
        for name in ("supervisor2", "assistant"):
            approvals.decide(users[name], req.id, "approve", "同意")
            db.session.commit()
    db.session.expire_all()
    assert leave_svc.balances(users["rep3"], 2026)["sick"]["used"] == 1
    with at(DAY, 20):
        assert svc.day_status(users["rep3"], DAY).kind == "leave"
