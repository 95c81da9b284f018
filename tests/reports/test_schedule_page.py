"""The reminder schedule page: every periodic job, its time, its last run; the manager switches a
job off and it sends nothing; others may look but not switch."""

from sqlalchemy import func, select

from intranet.extensions import db
from intranet.jobs.daily import send_daily_reports
from intranet.models import DailyReportSend, JobSwitch


def test_manager_switches_the_daily_report_off_and_it_sends_nothing(app, login):
    manager = login("manager")
    page = manager.get("/reports/schedule").get_data(as_text=True)
    assert "销售日报" in page and "16:30" in page and "寄件未确认提醒" in page
    assert manager.post("/reports/schedule/daily_report/switch", data={"enabled": "0"}).status_code == 303
    assert db.session.get(JobSwitch, "daily_report").enabled is False
    assert send_daily_reports("2026-11-18T16:40:00+08:00") == "off"
    assert db.session.scalar(select(func.count(DailyReportSend.id))) == 0
    assert "已关闭" in manager.get("/reports/schedule").get_data(as_text=True)

    assert manager.post("/reports/schedule/daily_report/switch", data={"enabled": "1"}).status_code == 303
    assert send_daily_reports("2026-11-18T16:40:00+08:00") == "daily"
    page = manager.get("/reports/schedule").get_data(as_text=True)
    assert "daily" in page  # what the last run did
    assert manager.post("/reports/schedule/sweep_outbox/switch", data={"enabled": "0"}).status_code == 409
    assistant = login("assistant")
    assert assistant.get("/reports/schedule").status_code == 200
    assert assistant.post("/reports/schedule/daily_report/switch", data={"enabled": "0"}).status_code == 403
