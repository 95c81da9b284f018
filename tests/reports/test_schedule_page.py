"""The reminder schedule page: every periodic job, its time, its last run and what that run sent;
the manager switches a job off and it sends nothing (each reminder job, and the daily report and
the work-log summary separately); others may look but not switch."""

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
    assert send_daily_reports("2026-11-18T16:40:00+08:00") == "—"  # the work-log summary is not due yet
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


def test_the_page_shows_when_each_job_ran_and_what_it_sent(app, users, login, frozen_clock):
    from datetime import date, timedelta

    from intranet.jobs.daily import remind_missing_sheets
    from intranet.models import DailySheet, Email, JobRun

    db.session.execute(db.delete(DailySheet).where(DailySheet.day == date(2026, 11, 18)))
    db.session.commit()
    written = remind_missing_sheets("2026-11-18T16:45:00+08:00")
    assert written > 0
    run = db.session.scalar(select(JobRun).where(JobRun.name == "daily_sheet_missing").order_by(JobRun.id.desc()))
    emails = db.session.scalars(select(Email).where(Email.key.startswith("daily-sheet-missing:"))).all()
    assert run.finished_at is not None and run.outcome == str(written) and not run.failed
    assert run.sent["emails"] == len(emails) > 0 and run.sent["todos"] == written
    assert {i["to"] for i in run.sent["items"] if i["kind"] == "email"} == {e.to_addr for e in emails}
    page = login("assistant").get("/reports/schedule").get_data(as_text=True)
    row = page.split('id="job-daily_sheet_missing"')[1].split("</tr>")[0]
    assert f"邮件 {len(emails)} 封，待办 {written} 条" in row
    assert all(e.to_addr in row for e in emails)
    assert users["rep2"].name in row  # a to-do shown by the person's name
    frozen_clock.shift(timedelta(minutes=5))
    assert remind_missing_sheets("2026-11-18T16:50:00+08:00") == 0  # each occasion once
    page = login("assistant").get("/reports/schedule").get_data(as_text=True)
    row = page.split('id="job-daily_sheet_missing"')[1].split("</tr>")[0]
    assert "未发送" in row and "此前运行" in row  # the last run sent nothing; the earlier one is listed


def test_every_reminder_job_obeys_its_switch_and_records_its_runs(app, login):
    from intranet.jobs.approvals import remind_overdue_approvals
    from intranet.jobs.reminders import daily_reminders
    from intranet.jobs.samples import remind_unconfirmed_mailings
    from intranet.models import JobRun
    from intranet.services import job_schedule

    manager = login("manager")
    jobs = {"daily_reminders": daily_reminders, "approval_reminders": remind_overdue_approvals,
            "mailing_reminders": remind_unconfirmed_mailings}
    for name, job in jobs.items():
        assert manager.post(f"/reports/schedule/{name}/switch", data={"enabled": "0"}).status_code == 303
        assert job() == "off"
        assert db.session.scalar(select(func.count(JobRun.id)).where(JobRun.name == name)) == 0
        assert manager.post(f"/reports/schedule/{name}/switch", data={"enabled": "1"}).status_code == 303
        job()
        assert db.session.scalar(select(func.count(JobRun.id)).where(JobRun.name == name)) == 1
    assert {j.run_name for j in job_schedule.JOBS} >= set(jobs)


def test_worklog_summary_has_its_own_switch(app, login):
    manager = login("manager")
    assert manager.post("/reports/schedule/worklog_report/switch", data={"enabled": "0"}).status_code == 303
    late = "2026-11-18T23:00:00+08:00"  # past both times
    assert send_daily_reports(late) == "daily"
    kinds = set(db.session.scalars(select(DailyReportSend.kind)))
    assert kinds == {"daily"}
    assert manager.post("/reports/schedule/worklog_report/switch", data={"enabled": "1"}).status_code == 303
    assert send_daily_reports(late) == "worklog"
