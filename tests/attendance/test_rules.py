"""Acceptance 1: the day-status rules at every band edge, excused lateness, the public holidays and
adjusted working days (2026 Spring Festival, the 2026-01-04 working Sunday), half days of leave, a
leave across a month end and the Spring Festival, and the company calendar winning over the public one."""

from datetime import date, time
from decimal import Decimal

import pytest

from intranet.extensions import db
from intranet.services import attendance as svc
from intranet.services import leave as leave_svc

from .conftest import at

MONDAY = date(2026, 3, 9)  # an ordinary working Monday


def status_of(user, day, hour=20):
    with at(day, hour):
        return svc.day_status(user, day)


@pytest.mark.parametrize(("hms", "fine", "absence"), [
    ((9, 0, 0), "0.00", "0"),      # on the dot: not late
    ((9, 0, 1), "20.00", "0"),     # one second late: band 1
    ((9, 10, 0), "20.00", "0"),    # exactly 10 minutes: still band 1 (含10分钟)
    ((9, 10, 1), "50.00", "0"),    # 10 minutes 1 second: band 2
    ((10, 0, 0), "50.00", "0"),    # exactly 60 minutes: still band 2 (含1小时)
    ((10, 1, 0), "0.00", "0.5"),   # 61 minutes: per company rules, half a day of 旷工 (default)
])
def test_lateness_bands(users, clock_in, hms, fine, absence):
    clock_in(users["rep1"], MONDAY, *hms, out=(17, 40))
    status = status_of(users["rep1"], MONDAY)
    assert status.fine == Decimal(fine)
    assert status.absence_days == Decimal(absence)
    assert status.kind == ("normal" if hms == (9, 0, 0) else "late")


def test_over_an_hour_can_be_fined_at_band_two_instead(users, clock_in, manager_settings):
    manager_settings(late_over_half_days="0")
    clock_in(users["rep1"], MONDAY, 10, 30)
    status = status_of(users["rep1"], MONDAY)
    assert (status.fine, status.absence_days) == (Decimal("50.00"), Decimal("0"))


def test_grace_minutes_forgive_small_lateness_only(users, clock_in, manager_settings):
    manager_settings(late_grace_minutes="5")
    clock_in(users["rep1"], MONDAY, 9, 5)
    assert status_of(users["rep1"], MONDAY).fine == Decimal("0.00")
    clock_in(users["rep2"], MONDAY, 9, 5, 1)
    assert status_of(users["rep2"], MONDAY).fine == Decimal("20.00")  # past the grace: counted from 09:00


def test_lateness_on_a_field_day_is_excused(users, clock_in, approved_visit):
    approved_visit(users["rep1"], MONDAY)
    clock_in(users["rep1"], MONDAY, 9, 40)
    status = status_of(users["rep1"], MONDAY)
    assert status.kind == "field" and status.fine == Decimal("0.00") and status.excused


def test_a_field_day_without_check_in_is_not_absent(users, approved_visit):
    approved_visit(users["rep1"], MONDAY)
    assert status_of(users["rep1"], MONDAY).kind == "field"
    assert status_of(users["rep2"], MONDAY).kind == "absent"  # no visit, no check-in: 旷工


def test_a_correction_with_a_reason_excuses_lateness_and_keeps_the_original(users, clock_in):
    clock_in(users["rep1"], MONDAY, 9, 25)
    assert status_of(users["rep1"], MONDAY).fine == Decimal("50.00")
    with at(MONDAY, 18):
        svc.correct(users["assistant"], users["rep1"], MONDAY, time(8, 55), None, "打卡机故障，主管证明 8:55 到岗")
        db.session.commit()
    status = status_of(users["rep1"], MONDAY)
    assert status.fine == Decimal("0.00") and status.corrected
    assert svc.record_for(users["rep1"].id, MONDAY).check_in_at.astimezone(svc.clock.SHANGHAI).time() == time(9, 25)


def test_a_correction_needs_a_reason_and_is_not_for_oneself(users):
    with at(MONDAY, 18), pytest.raises(svc.DomainError) as exc:
        svc.correct(users["assistant"], users["rep1"], MONDAY, time(9, 0), None, " ")
    assert exc.value.field == "reason"
    with at(MONDAY, 18), pytest.raises(svc.Forbidden):
        svc.correct(users["assistant"], users["assistant"], MONDAY, time(9, 0), None, "忘记打卡")


def test_public_holiday_and_adjusted_working_days(users):
    assert status_of(users["rep1"], date(2026, 2, 17)).kind == "rest"  # 春节 初一
    assert status_of(users["rep1"], date(2026, 2, 14)).kind == "absent"  # 调休: Saturday is a working day
    assert status_of(users["rep1"], date(2026, 1, 4)).kind == "absent"  # 调休: a working Sunday
    assert status_of(users["rep1"], date(2026, 1, 3)).kind == "rest"  # an ordinary Saturday


def test_company_calendar_wins_over_the_public_one(users):
    with at(date(2026, 1, 2)):
        svc.set_override(users["assistant"], date(2026, 1, 4), "off", "公司统一调休")
        svc.set_override(users["assistant"], date(2026, 3, 7), "work", "年度盘点")
        svc.set_override(users["assistant"], date(2027, 2, 8), "off", "2027 春节（公司安排）")
        db.session.commit()
    assert status_of(users["rep1"], date(2026, 1, 4)).kind == "rest"
    assert status_of(users["rep1"], date(2026, 3, 7)).kind == "absent"
    assert svc.is_working_day(date(2027, 2, 8)) is False  # beyond the package's years, still the company's word


def test_check_in_on_an_adjusted_sunday_is_a_normal_day(users, clock_in):
    clock_in(users["rep1"], date(2026, 1, 4), 8, 58, out=(17, 31))
    assert status_of(users["rep1"], date(2026, 1, 4)).kind == "normal"


def request(user, when, **fields):
    with at(when):
        leave = leave_svc.request_leave(user, {"kind": "personal", "reason": "家事", **fields})
        db.session.commit()
        return leave


def test_half_day_leave_in_the_morning_moves_the_start_to_midday(users, clock_in, decide_all):
    leave = request(users["rep1"], MONDAY.replace(day=2), start_day=MONDAY, end_day=MONDAY, end_am=True)
    assert leave.days == Decimal("0.5")
    decide_all("leave", leave, "supervisor1", "assistant")
    clock_in(users["rep1"], MONDAY, 13, 5, out=(17, 35))
    status = status_of(users["rep1"], MONDAY)
    assert status.leave_kind == "personal" and status.leave_days == Decimal("0.5")
    assert status.late_seconds == 300 and status.fine == Decimal("20.00")  # late after the leave ended


def test_half_day_leave_in_the_afternoon_allows_leaving_at_midday(users, clock_in, decide_all):
    leave = request(users["rep1"], MONDAY.replace(day=2), start_day=MONDAY, start_pm=True, end_day=MONDAY)
    decide_all("leave", leave, "supervisor1", "assistant")
    clock_in(users["rep1"], MONDAY, 8, 55, out=(13, 0))
    status = status_of(users["rep1"], MONDAY)
    assert status.kind == "normal" and status.leave_days == Decimal("0.5")


def test_half_day_leave_without_showing_up_is_half_a_day_absent(users, decide_all):
    leave = request(users["rep1"], MONDAY.replace(day=2), start_day=MONDAY, start_pm=True, end_day=MONDAY)
    decide_all("leave", leave, "supervisor1", "assistant")
    assert status_of(users["rep1"], MONDAY).absence_days == Decimal("0.5")


def test_leave_across_the_spring_festival_and_a_month_end(users, decide_all):
    leave = request(users["rep2"], date(2026, 2, 2), start_day=date(2026, 2, 12), end_day=date(2026, 3, 3))
    # Working days: Feb 12, 13, 14 (调休 Saturday), 24–27, 28 (调休 Saturday); Mar 2, 3. The holiday is not leave.
    assert leave.days == Decimal("10")
    decide_all("leave", leave, "supervisor1", "assistant", "manager")  # more than 3 days: the manager too
    with at(date(2026, 3, 20)):
        feb = svc.statuses([users["rep2"]], date(2026, 2, 1), date(2026, 2, 28))[users["rep2"].id]
        mar = svc.statuses([users["rep2"]], date(2026, 3, 1), date(2026, 3, 31))[users["rep2"].id]
    assert sum(d.leave_days for d in feb) == Decimal("8") and sum(d.leave_days for d in mar) == Decimal("2")
    assert {d.kind for d in feb if date(2026, 2, 16) <= d.day <= date(2026, 2, 23)} == {"rest"}


def test_approved_leave_turns_days_into_leave_only_once_approved(users, decide_all):
    leave = request(users["rep1"], MONDAY.replace(day=2), start_day=MONDAY, end_day=MONDAY)
    assert status_of(users["rep1"], MONDAY).kind == "absent"
    decide_all("leave", leave, "supervisor1", "assistant")
    assert status_of(users["rep1"], MONDAY).kind == "leave"


def test_leave_route_line_manager_then_assistant_and_manager_over_three_days(users):
    short = request(users["rep1"], MONDAY.replace(day=2), start_day=MONDAY, end_day=MONDAY.replace(day=11))
    long = request(users["rep1"], MONDAY.replace(day=2), start_day=date(2026, 3, 16), end_day=date(2026, 3, 19))
    short_req = leave_svc.approval_request(short)
    long_req = leave_svc.approval_request(long)
    assert [s["approver_kind"] for s in short_req.steps] == ["line_manager", "role"]
    assert [s.get("role") for s in long_req.steps] == [None, "assistant", "manager"]


def test_trip_days_are_not_absent_and_lateness_is_not_fined(users, clock_in):
    from intranet.services import trips

    with at(date(2026, 3, 2)):
        trip = trips.request_trip(users["rep1"], {
            "destination": "宁波", "start_day": MONDAY, "end_day": MONDAY.replace(day=10), "purpose": "拜访经销商",
            "estimated_cost": Decimal("800.00"), "advance_needed": Decimal("0.00")})
        db.session.commit()
    from intranet.services import approvals

    approvals.decide(users["supervisor1"], approvals.request_for("trip", trip.id).id, "approve", "同意")
    db.session.commit()
    assert status_of(users["rep1"], MONDAY).kind == "trip"
