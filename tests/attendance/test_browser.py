"""Acceptance 6 in Chromium: rep1 checks in, the assistant sees them on today's board, rep1 asks for
two days' leave, supervisor1 approves, the assistant checks it, and the team calendar shows it.

Runs on the real clock (the browser's cookies live on it); the leave dates are chosen relative to
today: the first two consecutive working days of one month at least two weeks ahead."""

from datetime import timedelta

import pytest
from conftest import PHONE, screenshot
from playwright.sync_api import expect
from sqlalchemy import select

from intranet import clock
from intranet.extensions import db
from intranet.models import LeaveRequest
from intranet.services import attendance as svc


def two_working_days():
    day = clock.today_local() + timedelta(days=14)
    while True:
        following = day + timedelta(days=1)
        if svc.is_working_day(day) and svc.is_working_day(following) and following.month == day.month:
            return day, following
        day = following


@pytest.mark.browser
def test_check_in_leave_and_team_calendar(page, as_user, users):
    _flow(page, as_user)


def _flow(page, as_user):
    # rep1 checks in with one click from the attendance page (on a phone-sized screen)
    rep = as_user("rep1", viewport=PHONE)
    rep.goto("/attendance/")
    rep.click("#check-in")
    expect(rep.locator("#att-in")).not_to_have_text("未签到")
    expect(rep.locator("#check-out")).to_be_visible()
    screenshot(rep, "attendance-rep-phone")

    # the assistant sees rep1 checked in on today's board
    assistant = as_user("assistant")
    assistant.goto("/attendance/board")
    row = assistant.locator("#board-rep1")
    expect(row).to_contain_text(clock.today_local().strftime("%Y-%m-%d"))
    screenshot(assistant, "attendance-board")

    # rep1 asks for two days' personal leave
    first, second = two_working_days()
    rep.goto("/attendance/leave/new")
    rep.select_option("#leave-form select[name=kind]", "personal")
    rep.fill("#leave-form input[name=start_day]", first.isoformat())
    rep.fill("#leave-form input[name=end_day]", second.isoformat())
    rep.fill("#leave-form textarea[name=reason]", "回老家办理房产手续")
    rep.click("#leave-form button.primary")
    expect(rep.locator("#leave-days")).to_have_text("2.0")
    expect(rep.locator(".page-head .status")).to_have_text("审批中")
    leave = db.session.scalar(select(LeaveRequest).where(LeaveRequest.start_day == first)
                              .order_by(LeaveRequest.id.desc()))
    detail = f"/attendance/leave/{leave.id}"

    # supervisor1 approves, then the assistant's attendance check
    for username, after in (("supervisor1", "审批中"), ("assistant", "已批准")):
        signer = as_user(username)
        signer.goto(detail)
        signer.locator(".decision-form textarea[name=comment]").fill("同意")
        signer.locator(".decision-form button[value=approve]").click()
        expect(signer.locator(".page-head .status")).to_have_text(after)
    screenshot(signer, "attendance-leave-approved")

    # the team calendar shows the two days as leave
    supervisor = as_user("supervisor1")
    supervisor.goto(f"/attendance/team?month={first:%Y-%m}")
    cells = supervisor.locator("#cal-rep1 td")
    expect(cells.nth(first.day - 1)).to_have_text("假")
    expect(cells.nth(second.day - 1)).to_have_text("假")
    screenshot(supervisor, "attendance-team-calendar")
    phone = as_user("supervisor1", viewport=PHONE)
    phone.goto(f"/attendance/team?month={first:%Y-%m}")
    screenshot(phone, "attendance-team-calendar-phone")
