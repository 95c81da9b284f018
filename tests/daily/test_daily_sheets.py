"""The daily sales sheet through the pages: the rep files it (visits pulled from the visit
reports), late after the due time unless on a trip or leave that day; the supervisor comments;
the assistant checks it at the morning meeting (once); nobody sees another team's sheets."""

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import delete, select

from intranet.extensions import db
from intranet.models import Customer, DailySheet, LeaveRequest, Trip, VisitReport

DAY = date(2026, 11, 18)
HTMX = {"HX-Request": "true"}
FORM = {"calls": "4", "orders_amount": "１２,８００．５", "payments_amount": "￥6800", "orders_note": "RO-500 一台",
        "opinions": "客户希望缩短滤芯供货周期", "problems": "彩页不足", "tomorrow": "回访华东水务"}


def _clear(users, day=DAY):
    db.session.execute(delete(DailySheet).where(DailySheet.day == day))
    db.session.commit()


def _sheet(rep, day=DAY) -> DailySheet:
    db.session.expire_all()
    return db.session.scalar(select(DailySheet).where(DailySheet.rep_id == rep.id, DailySheet.day == day))


def test_rep_files_the_sheet_with_visits_pulled_from_visit_reports(app, users, login):
    _clear(users)
    customer = db.session.scalar(select(Customer).where(Customer.owner_id == users["rep1"].id))
    before = len(db.session.scalars(select(VisitReport).where(VisitReport.rep_id == users["rep1"].id,
                                                              VisitReport.visit_date == DAY)).all())
    db.session.add(VisitReport(rep_id=users["rep1"].id, customer_id=customer.id, visit_date=DAY, outcome="洽谈顺利"))
    db.session.commit()
    rep1 = login("rep1")
    page = rep1.get("/daily/file?on=2026-11-18").get_data(as_text=True)
    assert "16:30" in page and f"当日拜访报告：{before + 1} 份" in page
    assert rep1.post("/daily/file?on=2026-11-18", data=FORM).status_code == 303
    sheet = _sheet(users["rep1"])
    assert (sheet.visits_done, sheet.calls, sheet.orders_amount, sheet.payments_amount) == (
        before + 1, 4, Decimal("12800.50"), Decimal("6800.00"))
    assert not sheet.late and not sheet.excused
    detail = rep1.get(f"/daily/{sheet.id}").get_data(as_text=True)
    assert "¥12,800.50" in detail and "回访华东水务" in detail
    # Corrected before the check: the same row.
    assert rep1.post("/daily/file?on=2026-11-18", data={**FORM, "calls": "6"}).status_code == 303
    assert _sheet(users["rep1"]).calls == 6
    assert db.session.scalar(select(db.func.count(DailySheet.id)).where(DailySheet.rep_id == users["rep1"].id,
                                                                        DailySheet.day == DAY)) == 1


def test_bad_input_is_shown_beside_the_field_and_nothing_is_stored(app, users, login):
    _clear(users)
    rep1 = login("rep1")
    response = rep1.post("/daily/file?on=2026-11-18", data={**FORM, "calls": "²", "orders_amount": "-5"},
                         headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "请填写 0 到 1000 之间的整数" in body and "金额不能为负数" in body
    assert _sheet(users["rep1"]) is None
    assert rep1.post("/daily/file?on=2026-11-18", data={"calls": "0"}).status_code == 200  # empty sheet
    assert rep1.post("/daily/file?on=2026-11-19", data=FORM).status_code == 200  # tomorrow: refused
    assert _sheet(users["rep1"]) is None


def test_after_the_due_time_late_unless_away_that_day(app, users, login, frozen_clock):
    _clear(users)
    rep2, rep3 = users["rep2"], users["rep3"]
    trip_day = DAY - timedelta(days=1)
    _clear(users, trip_day)
    db.session.add(Trip(user_id=rep3.id, destination="广州", start_day=trip_day, end_day=trip_day, purpose="拜访",
                        status="approved"))
    db.session.add(LeaveRequest(user_id=rep2.id, kind="sick", start_day=trip_day, end_day=trip_day,
                                status="approved", days=Decimal("1")))
    db.session.commit()
    frozen_clock.shift(timedelta(hours=7))  # 17:00
    assert login("rep1").post("/daily/file?on=2026-11-18", data=FORM).status_code == 303
    assert _sheet(users["rep1"]).late is True
    # Back from the trip / leave: yesterday's sheet filed today is not late.
    assert login("rep3").post("/daily/file?on=2026-11-17", data=FORM).status_code == 303
    assert (_sheet(rep3, trip_day).late, _sheet(rep3, trip_day).excused) == (False, "trip")
    assert login("rep2").post("/daily/file?on=2026-11-17", data=FORM).status_code == 303
    assert (_sheet(rep2, trip_day).late, _sheet(rep2, trip_day).excused) == (False, "leave")
    late_list = login("supervisor1").get("/daily/?status=late").get_data(as_text=True)
    assert "迟交" in late_list


def test_supervisor_comments_assistant_checks_once_and_then_it_is_locked(app, users, login):
    _clear(users)
    rep1 = login("rep1")
    assert rep1.post("/daily/file?on=2026-11-18", data=FORM).status_code == 303
    sheet = _sheet(users["rep1"])
    supervisor = login("supervisor1")
    assert supervisor.post(f"/daily/{sheet.id}/comment", data={"comment": "明天带上新彩页"}).status_code == 303
    assert login("supervisor2").post(f"/daily/{sheet.id}/comment", data={"comment": "x"}).status_code == 404
    assert _sheet(users["rep1"]).comment == "明天带上新彩页"
    assistant = login("assistant")
    day = assistant.get("/daily/day?on=2026-11-18").get_data(as_text=True)
    assert f"/daily/{sheet.id}/check" in day
    response = assistant.post(f"/daily/{sheet.id}/check", headers=HTMX)
    assert response.status_code == 200 and "已核对" in response.get_data(as_text=True)
    assert _sheet(users["rep1"]).checked_by_id == users["assistant"].id
    assert assistant.post(f"/daily/{sheet.id}/check").status_code == 409
    assert rep1.post("/daily/file?on=2026-11-18", data=FORM).status_code == 409  # checked: locked


def test_scope_a_rep_sees_only_own_sheets_and_a_supervisor_only_the_team(app, users, login):
    other = db.session.scalar(select(DailySheet).where(DailySheet.rep_id == users["rep3"].id))
    assert login("rep1").get(f"/daily/{other.id}").status_code == 404
    assert login("supervisor1").get(f"/daily/{other.id}").status_code == 404
    assert login("supervisor2").get(f"/daily/{other.id}").status_code == 200
    listing = login("rep1").get("/daily/").get_data(as_text=True)
    assert users["rep3"].name not in listing
    export = login("rep1").get("/daily/?format=xlsx")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    assert login("finance").get("/daily/").status_code == 403


def test_assistant_previews_adds_a_note_and_sends_once(app, users, login, smtp_sink, run_worker):
    _clear(users)
    login("rep1").post("/daily/file?on=2026-11-18", data=FORM)
    assistant = login("assistant")
    preview = assistant.get("/daily/report?kind=daily&on=2026-11-18").get_data(as_text=True)
    assert "¥12,800.50" in preview and "finance@demo.local" in preview
    response = assistant.post("/daily/report?kind=daily&on=2026-11-18", data={"note": "今日回款较好。", "send": "1"})
    assert response.status_code == 303
    assert assistant.post("/daily/report?kind=daily&on=2026-11-18", data={"note": "x", "send": "1"}).status_code == 409
    assert login("gm").post("/daily/report?kind=daily&on=2026-11-18", data={"send": "1"}).status_code == 403
    assert run_worker().returncode == 0
    messages = smtp_sink.wait_for(3)
    assert len(messages) == 3
    for message in messages:
        text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
        assert "今日回款较好。" in text.get_payload(decode=True).decode("utf-8")
    from intranet.jobs.daily import send_daily_reports

    assert send_daily_reports("2026-11-18T16:40:00+08:00") == "—"  # the schedule finds it sent
    assert len(smtp_sink.wait_for(4, timeout=1.5)) == 3


def test_manager_edits_the_subscriptions_starting_from_the_defaults(app, users, login):
    from intranet.services import daily_report

    manager = login("manager")
    assert manager.post("/daily/subscriptions", data={"kind": "daily", "address": "archive@corp.example",
                                                      "label": "档案室"}).status_code == 303
    recipients = [a for a, _ in daily_report.recipients("daily")]
    assert "archive@corp.example" in recipients and users["finance"].email in recipients
    bad = manager.post("/daily/subscriptions", data={"kind": "daily", "address": "不是邮箱", "label": ""})
    assert bad.status_code == 200 and "邮箱格式不正确" in bad.get_data(as_text=True)
    assert login("assistant").get("/daily/subscriptions").status_code == 403


def test_the_desk_card_counts_what_the_day_overview_lists(app, users, login):
    """The desks' daily card (counted in SQL) says what day_overview says, for each reader's scope."""
    from intranet.services import daily_sheets

    _clear(users)
    _clear(users, DAY - timedelta(days=1))
    for rep in ("rep1", "rep2"):
        assert login(rep).post("/daily/file?on=2026-11-18", data=FORM).status_code == 303
    for rep in ("rep1", "rep3"):
        db.session.add(DailySheet(rep_id=users[rep].id, day=DAY - timedelta(days=1), calls=1, tomorrow="回访"))
    db.session.commit()
    for who in ("assistant", "supervisor1", "manager"):
        reader = users[who]
        today, yesterday = daily_sheets.day_overview(reader, DAY), daily_sheets.day_overview(reader, DAY - timedelta(1))
        summary = daily_sheets.desk_summary(reader, DAY)
        assert summary["filed"] == sum(1 for r in today if r["sheet"]) and summary["total"] == len(today)
        assert [tuple(u) for u in summary["unchecked"]] == [
            (r["sheet"].id, r["rep"].name) for r in yesterday if r["sheet"] and not r["sheet"].checked_at]
    page = login("assistant").get("/assistant/").get_data(as_text=True)
    assert "今日已交 2 /" in page and "昨日待核对" in page and users["rep3"].name in page
