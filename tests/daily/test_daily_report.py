"""Acceptance 1 and 2: the 16:30 daily report, built and sent by a real RQ worker over a real SMTP
server (aiosmtpd), to every subscriber once with the day's figures; a second run, two scheduler
ticks at once and two worker processes still send each email once."""

from datetime import date
from decimal import Decimal
from email.header import decode_header, make_header

from live_worker import finish, start_worker
from redis import Redis
from rq import Queue
from sqlalchemy import delete, func, select

from intranet.extensions import db
from intranet.models import DailyReportSend, DailySheet, Email, JobRun, Setting
from intranet.services import daily_sheets

DAY = date(2026, 11, 18)  # the tests' default day (a Wednesday)
AT_1635 = "2026-11-18T16:35:00+08:00"
AT_1600 = "2026-11-18T16:00:00+08:00"
SHEETS = {  # rep: calls, orders, payments, opinion
    "rep1": ("5", "12800.00", "6800.50", "客户希望缩短滤芯供货周期"),
    "rep3": ("2", "45800.00", "0", "经销商询问年底返利政策"),
}


def _file_the_day(users):
    db.session.execute(delete(DailySheet).where(DailySheet.day == DAY))  # the demo's sheet of today
    for name, (calls, orders, payments, opinion) in SHEETS.items():
        daily_sheets.file_sheet(users[name], DAY, {"calls": calls, "orders_amount": orders,
                                                   "payments_amount": payments, "opinions": opinion,
                                                   "tomorrow": "回访老客户"})
    db.session.add(Setting(key="chairman_email", value="chairman@board.example"))
    db.session.commit()


def _enqueue_job(app, now_iso: str, times: int = 1) -> None:
    queue = Queue(app.config["RQ_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"]))
    for _ in range(times):  # each is what one scheduler tick enqueues
        queue.enqueue("intranet.jobs.daily.send_daily_reports", now_iso)


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _text(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no plain-text part")


def _html(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no HTML part")


def _expected_recipients(users) -> set[str]:
    return {users["finance"].email, "chairman@board.example", users["gm"].email}


def test_the_1630_job_sends_one_email_per_recipient_with_the_day_figures(app, users, smtp_sink, run_worker):
    _file_the_day(users)
    _enqueue_job(app, AT_1600)  # before 16:30: nothing is due yet
    assert run_worker().returncode == 0
    assert db.session.scalar(select(func.count(Email.id)).where(Email.key.startswith("daily-report:"))) == 0

    _enqueue_job(app, AT_1635)
    result = run_worker()
    assert result.returncode == 0, result.stderr
    messages = smtp_sink.wait_for(3)
    assert {m["To"] for m in messages} == _expected_recipients(users)
    assert len(messages) == 3
    orders = sum(Decimal(v[1]) for v in SHEETS.values())
    payments = sum(Decimal(v[2]) for v in SHEETS.values())
    for message in messages:
        assert _subject(message) == "销售日报 2026-11-18"
        text = _text(message)
        assert f"已交日报：{len(SHEETS)}" in text and "电话：7" in text
        assert f"订单金额：¥{orders:,.2f}" in text and f"回款金额：¥{payments:,.2f}" in text
        assert "客户希望缩短滤芯供货周期" in text and users["rep2"].name in text.split("未交：")[1]
        assert "¥58,600.00" in _html(message)
    db.session.expire_all()
    sent = db.session.scalar(select(DailyReportSend).where(DailyReportSend.day == DAY, DailyReportSend.kind == "daily"))
    assert sent.recipients == 3 and sent.sent_by_id is None  # by the schedule
    assert db.session.scalar(select(JobRun.outcome).where(JobRun.name == "daily_report").order_by(JobRun.id.desc())) \
        == "daily"

    # The same day again (a later tick, a rerun): nothing more.
    _enqueue_job(app, AT_1635)
    assert run_worker().returncode == 0
    assert len(smtp_sink.wait_for(4, timeout=2)) == 3
    assert db.session.scalar(select(func.count(DailyReportSend.id)).where(DailyReportSend.day == DAY)) == 1


def test_two_ticks_and_two_workers_send_each_email_once(app, users, smtp_sink):
    _file_the_day(users)
    _enqueue_job(app, AT_1635, times=2)  # two scheduler ticks at once
    queue = Queue(app.config["RQ_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"]))
    assert len(queue) == 2
    workers = [start_worker(app), start_worker(app)]
    codes = [finish(w, timeout=90) for w in workers]
    assert all(code == 0 for code, _err in codes), codes
    messages = smtp_sink.wait_for(3)
    assert sorted(m["To"] for m in messages) == sorted(_expected_recipients(users))
    assert len(smtp_sink.wait_for(4, timeout=2)) == 3
    db.session.expire_all()
    rows = db.session.scalars(select(Email).where(Email.key.startswith("daily-report:daily:"))).all()
    assert len(rows) == 3 and {r.status for r in rows} == {"sent"}


def test_missing_sheet_reminder_once_per_rep_and_not_for_a_rep_away(app, users, smtp_sink):
    from intranet.jobs.daily import remind_missing_sheets
    from intranet.models import Todo

    _file_the_day(users)
    _trip(users["rep4"], DAY)
    assert remind_missing_sheets(AT_1600) == 0  # before the due time
    assert remind_missing_sheets(AT_1635) == 1  # rep2 only: rep1, rep3 filed, rep4 on a trip
    assert remind_missing_sheets(AT_1635) == 0
    todos = db.session.scalars(select(Todo).where(Todo.key.startswith("daily-sheet-missing:"))).all()
    assert [t.user_id for t in todos] == [users["rep2"].id]


def _trip(rep, day):
    from intranet.models import Trip

    db.session.add(Trip(user_id=rep.id, start_day=day, end_day=day, destination="广州", purpose="客户拜访",
                        status="approved"))
    db.session.commit()


def test_each_recipient_reads_the_report_in_their_own_language(app, users, smtp_sink, run_worker):
    """The gm reads English: his copy (subject, text and HTML) is in English, the finance archive's and the
    chairman's (an outside address: the company's language) in Chinese — whoever's request or job sends it."""
    _file_the_day(users)
    users["gm"].locale = "en"
    db.session.commit()
    _enqueue_job(app, AT_1635)
    assert run_worker().returncode == 0
    messages = {m["To"]: m for m in smtp_sink.wait_for(3)}
    assert set(messages) == _expected_recipients(users)
    english = messages[users["gm"].email]
    assert _subject(english) == "Daily report 2026-11-18"
    html = _html(english)
    assert '<html lang="en">' in html
    for heading in ("<th>Sales rep</th>", "<th>Team</th>", "Payments received", "Tomorrow's plan", "<th>Total</th>"):
        assert heading in html, heading
    assert "业务员" not in html and "回款金额" not in html and "明日计划" not in html
    assert "Sheets filed: 2" in _text(english).replace("：", ": ") and "已交日报" not in _text(english)
    assert "客户希望缩短滤芯供货周期" in html  # what the reps wrote stays as written
    for address in (users["finance"].email, "chairman@board.example"):
        chinese = messages[address]
        assert _subject(chinese) == "销售日报 2026-11-18"
        html = _html(chinese)
        assert '<html lang="zh-CN">' in html and "<th>业务员</th>" in html and "回款金额</th>" in html
        assert "Sales rep" not in html and f"已交日报：{len(SHEETS)}" in _text(chinese)


def test_an_english_sender_still_sends_the_chinese_readers_chinese(app, users, smtp_sink, run_worker, login):
    """The assistant reads English and presses Send on the preview page: every recipient here reads
    Chinese, so every copy is Chinese; her covering note goes out as she typed it."""
    _file_the_day(users)
    users["assistant"].locale = "en"
    db.session.commit()
    assistant = login("assistant")
    assert "Sales rep" in assistant.get("/daily/report?kind=daily&on=2026-11-18").get_data(as_text=True)
    response = assistant.post("/daily/report?kind=daily&on=2026-11-18", data={"note": "今天华东区回款较好。", "send": "1"})
    assert response.status_code in (302, 303)
    assert run_worker().returncode == 0
    messages = {m["To"]: m for m in smtp_sink.wait_for(3)}
    assert set(messages) == _expected_recipients(users)
    for message in messages.values():
        html = _html(message)
        assert _subject(message) == "销售日报 2026-11-18" and "<th>业务员</th>" in html
        assert "今天华东区回款较好。" in html and "Sales rep" not in html and "Sheets filed" not in _text(message)
