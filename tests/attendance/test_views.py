"""Views through the test client: one-click check-in, a second one refused, bad input answered in
Chinese next to its field with nothing stored, scope per record, and the HTMX fragments."""

from datetime import date

from sqlalchemy import func, select

from intranet.extensions import db
from intranet.models import AttendanceRecord, LeaveRequest, Trip

from .conftest import at

DAY = date(2026, 3, 9)


def count(model):
    return db.session.scalar(select(func.count(model.id)))


def test_check_in_then_a_second_check_in_is_refused(login, users):
    with at(DAY, 8, 57):
        client = login("rep1")
        assert client.post("/attendance/check-in").status_code == 303
        page = client.get("/attendance/").get_data(as_text=True)
        assert "2026-03-09 08:57" in page
        again = client.post("/attendance/check-in", headers={"HX-Request": "true"})
    assert again.status_code == 422 and "今天已经签到" in again.get_data(as_text=True)
    assert "<html" not in again.get_data(as_text=True)
    assert count(AttendanceRecord) == db.session.scalar(select(func.count(AttendanceRecord.id)).where(
        AttendanceRecord.day != DAY)) + 1


def test_a_check_in_for_another_person_is_refused(login, users):
    before = count(AttendanceRecord)
    with at(DAY, 9):
        client = login("assistant")
        response = client.post("/attendance/check-in", data={"user_id": users["rep1"].id})
    assert "不能替他人签到" in response.get_data(as_text=True)
    assert count(AttendanceRecord) == before


def test_leave_with_dates_out_of_order_or_no_working_day_or_400_days(login):
    before = count(LeaveRequest)
    cases = [({"start_day": "2026-03-10", "end_day": "2026-03-09"}, "结束日期不能早于开始日期"),
             ({"start_day": "2026-03-07", "end_day": "2026-03-08"}, "没有工作日"),
             ({"start_day": "2026-03-09", "end_day": "2027-04-13"}, "请假天数不能超过"),
             ({"start_day": "2026-03-09", "end_day": "2026-03-09", "kind": ""}, "请选择请假类型")]
    with at(date(2026, 3, 2)):
        client = login("rep1")
        for fields, message in cases:
            response = client.post("/attendance/leave/new", data={"kind": "personal", **fields},
                                   headers={"HX-Request": "true"})
            body = response.get_data(as_text=True)
            assert response.status_code == 200 and message in body, (fields, body[:300])
            assert 'class="field has-error' in body or "has-error" in body
    assert count(LeaveRequest) == before


def test_trip_bad_input_changes_nothing(login):
    before = count(Trip)
    with at(date(2026, 3, 2)):
        client = login("rep1")
        body = client.post("/attendance/trips/new", data={
            "destination": "", "start_day": "2026-03-10", "end_day": "2026-03-09", "purpose": "拜访",
            "estimated_cost": "abc", "advance_needed": "0"}).get_data(as_text=True)
    assert "请填写出差地点" in body or "金额格式不正确" in body
    assert count(Trip) == before


def test_a_rep_sees_only_their_own_records(login, users):
    leave = db.session.scalar(select(LeaveRequest).where(LeaveRequest.user_id == users["rep2"].id))
    assert login("rep1").get(f"/attendance/leave/{leave.id}").status_code == 404
    assert login("supervisor1").get(f"/attendance/leave/{leave.id}").status_code == 200
    assert login("supervisor2").get(f"/attendance/leave/{leave.id}").status_code == 404
    assert login("rep1").get(f"/attendance/people/{users['rep2'].id}").status_code == 404
    assert login("finance").get("/attendance/sheet").status_code == 403


def test_board_and_team_calendar_show_the_day(login, users, clock_in):
    clock_in(users["rep1"], DAY, 9, 4)
    with at(DAY, 9, 30):
        board = login("supervisor1").get("/attendance/board").get_data(as_text=True)
        team = login("supervisor1").get("/attendance/team?month=2026-03").get_data(as_text=True)
    assert "周杰" in board and "迟到 4 分钟" in board
    assert "未签到" in board  # rep2 has not checked in by 09:15
    assert 'id="cal-rep1"' in team and "迟" in team and 'id="cal-rep3"' not in team  # not supervisor1's team


def test_the_manager_sets_a_persons_annual_leave(login, users):
    with at(date(2026, 3, 2)):
        client = login("manager")
        bad = client.post(f"/attendance/people/{users['rep1'].id}/quota", data={"year": "2026", "days": "45"})
        assert "年假天数应在 0 到 30 之间" in bad.get_data(as_text=True)
        assert client.post(f"/attendance/people/{users['rep1'].id}/quota",
                           data={"year": "2026", "days": "10"}).status_code == 303
    from intranet.services import leave

    assert leave.balances(users["rep1"], 2026)["annual"]["quota"] == 10


def test_lists_export_to_excel(login):
    client = login("manager")
    for url in ("/attendance/leave", "/attendance/trips", "/attendance/violations"):
        response = client.get(f"{url}?format=xlsx")
        assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")


def test_the_desk_board_card_names_ten_and_counts_the_rest(login, users, make_user, clock_in):
    """A department of many: the card names ten people not yet in and says how many there are in all,
    with a link to the whole board; a small team is named in full."""
    late_comers = [make_user("rep", name=f"新人{i:02d}", reports_to=users["supervisor1"],
                             team=users["rep1"].team) for i in range(12)]
    clock_in(users["rep1"], DAY, 8, 55)
    with at(DAY, 10):
        board = login("manager").get("/attendance/board").get_data(as_text=True)
        desk = login("manager").get("/manager/").get_data(as_text=True)
    card = desk[desk.index('id="card-attendance_board"'):]
    card = card[:card.index("</section>")]
    named = [u.name for u in late_comers if u.name in card]
    assert len(named) <= 10 and "新人11" not in card
    total_missing = int(card.split('class="badge">')[1].split("<")[0])
    assert total_missing >= 12 and f"等 {total_missing} 人" in card
    assert "/attendance/board" in card and all(u.name in board for u in late_comers)
