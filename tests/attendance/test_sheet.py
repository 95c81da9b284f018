"""Acceptance 2 and 3: the monthly sheet of a month seeded here equals a calculation done in the test
by hand (not through the services), the Excel file reads back equal to the page, and a closed month is
locked in the service layer until the manager reopens it (both in the audit trail)."""

from datetime import date, time
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import AuditEntry
from intranet.services import approvals, meeting, violations
from intranet.services import attendance as svc
from intranet.services import leave as leave_svc
from intranet.services.errors import DomainError

from .conftest import at

MONTH = "2026-03"
# March 2026: 22 working days (no holiday; weekends off).
WORKDAYS = [date(2026, 3, d) for d in range(1, 32) if date(2026, 3, d).weekday() < 5]


@pytest.fixture
def seeded_month(users, clock_in, decide_all):
    """rep1: every working day on time except two late days (09:07 → ¥20, 09:45 → ¥50) and one day
    with no check-in (旷工); rep2: on time except a 2-day personal leave and one morning meeting missed;
    a ¥50 seal slip for rep1, approved."""
    rep1, rep2 = users["rep1"], users["rep2"]
    late = {date(2026, 3, 3): (9, 7), date(2026, 3, 12): (9, 45)}
    absent = date(2026, 3, 18)
    leave_days = {date(2026, 3, 24), date(2026, 3, 25)}
    with at(date(2026, 3, 2), 8):
        leave = leave_svc.request_leave(rep2, {"kind": "personal", "start_day": date(2026, 3, 24),
                                               "end_day": date(2026, 3, 25), "reason": "搬家"})
        db.session.commit()
    decide_all("leave", leave, "supervisor1", "assistant")
    for day in WORKDAYS:
        if day != absent:
            clock_in(rep1, day, *late.get(day, (8, 55)), out=(17, 40))
        if day not in leave_days:
            clock_in(rep2, day, 8, 50, out=(17, 35))
    with at(date(2026, 3, 10), 10, 30):
        meeting.record(users["assistant"], date(2026, 3, 10), [rep1.id], "本周回款目标 30 万", "")
        slip = violations.file(users["supervisor1"], rep1, {"rule": "seal_out", "day": date(2026, 3, 10),
                                                            "evidence": "合同章被带到客户处"})
        db.session.commit()
    approvals.decide(users["manager"], approvals.request_for("violation", slip.id).id, "approve", "同意")
    db.session.commit()
    return rep1, rep2


def by_hand(person, rep1, rep2) -> dict:
    """The expected figures, counted by hand from the fixture above."""
    if person == "rep1":
        return {"workdays": 22, "present": 21, "late_count": 2, "late_minutes": 7 + 45,
                "late_fines": Decimal("70.00"), "violation_fines": Decimal("50.00"), "fines": Decimal("120.00"),
                "absence_days": Decimal("1.0"), "meeting_absences": 0, "violations": 1, "leave": {}}
    return {"workdays": 22, "present": 20, "late_count": 0, "late_minutes": 0, "late_fines": Decimal("0.00"),
            "violation_fines": Decimal("0.00"), "fines": Decimal("0.00"), "absence_days": Decimal("0"),
            "meeting_absences": 1, "violations": 0, "leave": {"personal": Decimal("2.0")}}


def test_the_sheet_equals_the_hand_count_and_the_excel_equals_the_page(seeded_month, login, users):
    rep1, rep2 = seeded_month
    with at(date(2026, 4, 2)):
        rows = {r["username"]: r for r in svc.compute_sheet(MONTH)}
        for name in ("rep1", "rep2"):
            expected = by_hand(name, rep1, rep2)
            assert {k: rows[name][k] for k in expected} == expected
        client = login("assistant")
        page = client.get(f"/attendance/sheet?month={MONTH}").get_data(as_text=True)
        xlsx = client.get(f"/attendance/sheet?month={MONTH}&format=xlsx")
    sheet = load_workbook(BytesIO(xlsx.data)).active
    excel = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    zhou = excel[rep1.name]
    assert zhou[2:6] == (22, 21, 2, 52) and Decimal(str(zhou[9])) == Decimal("120.00")
    assert excel[rep2.name][15] == "事假 2.0" and excel[rep2.name][13] == 1
    for value in ("¥120.00", "¥70.00", "事假 2.0"):
        assert value in page


def test_a_closed_month_is_locked_until_the_manager_reopens_it(seeded_month, users, login):
    rep1, _ = seeded_month
    assistant, manager = users["assistant"], users["manager"]
    with at(date(2026, 4, 2)):
        svc.close_month(assistant, MONTH)
        db.session.commit()
        frozen = {r["username"]: r for r in svc.sheet(MONTH)[0]}
        assert frozen["rep1"]["fines"] == Decimal("120.00")
        with pytest.raises(DomainError, match="已结账"):
            svc.correct(assistant, rep1, date(2026, 3, 18), time(9, 0), None, "补录")
        with pytest.raises(DomainError, match="已结账"):
            svc.set_override(assistant, date(2026, 3, 20), "off")
        with pytest.raises(DomainError, match="已结账"):
            leave_svc.request_leave(rep1, {"kind": "sick", "start_day": date(2026, 3, 30),
                                           "end_day": date(2026, 3, 30)})
        db.session.rollback()
        with pytest.raises(DomainError):
            svc.reopen_month(assistant, MONTH, "更正")  # reopening is the manager's
        svc.reopen_month(manager, MONTH, "周杰 3 月 18 日实为外出拜访，漏报")
        svc.correct(assistant, rep1, date(2026, 3, 18), time(8, 58), time(17, 30), "外出拜访，主管确认")
        db.session.commit()
        assert {r["username"]: r for r in svc.compute_sheet(MONTH)}["rep1"]["absence_days"] == Decimal("0")
    actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.in_(
        ("attendance.month.close", "attendance.month.reopen", "attendance.correct"))).order_by(AuditEntry.id)))
    assert actions == ["attendance.month.close", "attendance.month.reopen", "attendance.correct"]


def test_only_finished_months_close(users):
    with at(date(2026, 3, 31), 18), pytest.raises(DomainError, match="已经结束"):
        svc.close_month(users["assistant"], MONTH)
