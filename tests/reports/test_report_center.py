"""Acceptance 3 and 5: a monthly report requested on the page is generated through the queue by a
real RQ worker, shows its progress, then a chart; its Excel file reopens and its totals equal an
independent count; nobody opens, downloads or requests a report outside their scope."""

from datetime import date
from decimal import Decimal
from email.header import decode_header, make_header
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from intranet.clock import month_bounds
from intranet.extensions import db
from intranet.models import (
    DailySheet,
    ExpenseClaim,
    PlannedVisit,
    ReportRun,
    Team,
    User,
    VisitPlan,
    VisitReport,
)

MONTH = "2026-10"
HTMX = {"HX-Request": "true"}


def _independent_totals(rep_ids: set[int]) -> dict:
    """Counted in Python over every row, not with the service's queries."""
    first, last = month_bounds(MONTH)
    inside = lambda day: first <= day <= last  # noqa: E731
    plans = {p.id: p for p in db.session.scalars(select(VisitPlan))}
    planned = sum(1 for v in db.session.scalars(select(PlannedVisit))
                  if plans[v.plan_id].rep_id in rep_ids and plans[v.plan_id].status == "approved" and inside(v.date))
    done = sum(1 for r in db.session.scalars(select(VisitReport)) if r.rep_id in rep_ids and inside(r.visit_date))
    sheets = [s for s in db.session.scalars(select(DailySheet)) if s.rep_id in rep_ids and inside(s.day)]
    spent = sum((ln.amount for c in db.session.scalars(select(ExpenseClaim))
                 if c.claimant_id in rep_ids and c.status in ("approved", "paid", "settled")
                 for ln in c.lines if inside(ln.spent_on)), Decimal("0.00"))
    return {"planned": planned, "done": done, "filed": len(sheets), "late": sum(1 for s in sheets if s.late),
            "expenses": spent}


def _seed_month(users):
    """A few known rows in the month on top of the demo (a late sheet, an on-time one)."""
    db.session.add_all([
        DailySheet(rep_id=users["rep1"].id, day=date(2026, 10, 20), calls=3, tomorrow="回访", late=True),
        DailySheet(rep_id=users["rep3"].id, day=date(2026, 10, 21), calls=1, tomorrow="拜访"),
    ])
    db.session.commit()


def test_monthly_report_through_the_queue_with_progress_chart_and_excel(app, users, login, run_worker):
    _seed_month(users)
    assistant = login("assistant")
    response = assistant.post("/reports/request", data={"kind": "monthly", "period": MONTH, "scope": "all"})
    assert response.status_code == 303
    run = db.session.scalar(select(ReportRun).order_by(ReportRun.id.desc()))
    assert (run.status, run.progress, run.period) == ("queued", 0, MONTH)
    page = assistant.get(f"/reports/{run.id}").get_data(as_text=True)
    assert f'data-hx-get="/reports/{run.id}/progress"' in page and "0%" in page
    polling = assistant.get(f"/reports/{run.id}/progress", headers=HTMX)
    assert polling.status_code == 200 and "<html" not in polling.get_data(as_text=True)

    result = run_worker()
    assert result.returncode == 0, result.stderr
    db.session.expire_all()  # the test shares the web app's session: forget what it read before the worker ran
    finished = assistant.get(f"/reports/{run.id}/progress", headers=HTMX)
    assert finished.status_code == 286  # htmx stops polling; the fragment carries the chart
    assert 'data-chart="bar"' in finished.get_data(as_text=True)
    page = assistant.get(f"/reports/{run.id}").get_data(as_text=True)
    assert 'data-chart="bar"' in page and "vendor/chart-4.5.1.umd.min." in page and f"/reports/{run.id}/download" in page

    download = assistant.get(f"/reports/{run.id}/download")
    assert download.status_code == 200 and download.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(BytesIO(download.get_data())).active
    assert [c.value for c in ws[2]] == ["区域", "小组", "业务员", "计划拜访", "实际拜访", "完成率", "日报已交", "日报迟交", "费用报销"]
    assert ws.freeze_panes == "A3" and ws.column_dimensions["I"].width >= 12
    totals = [c.value for c in ws[ws.max_row]]
    reps = {u.id for u in db.session.scalars(select(User).where(User.role == "rep"))}
    expected = _independent_totals(reps)
    assert totals[0] == "合计"
    assert (totals[3], totals[4], totals[6], totals[7]) == (expected["planned"], expected["done"], expected["filed"],
                                                            expected["late"])
    assert Decimal(str(totals[8])).quantize(Decimal("0.01")) == expected["expenses"]
    assert expected["filed"] >= 2 and expected["late"] >= 1  # the month has figures to add up
    assert ws.cell(ws.max_row, 9).number_format == '"¥"#,##0.00'
    assert ws.max_row == 2 + len(reps) + 1  # title, header, one row per rep, totals


def _team2_run(users) -> ReportRun:
    team2 = db.session.scalar(select(Team).where(Team.id == users["rep3"].team_id))
    run = db.session.scalar(select(ReportRun).where(ReportRun.team_id == team2.id))
    if run is None:
        from intranet.services import reports

        run = ReportRun(kind="monthly", period=MONTH, team_id=team2.id, requested_by_id=users["manager"].id)
        db.session.add(run)
        db.session.flush()
        reports.compute(run)
        db.session.commit()
    return run


def test_rep_cannot_open_or_download_another_teams_report_nor_request_it(app, users, login):
    run = _team2_run(users)
    rep1 = login("rep1")
    assert rep1.get(f"/reports/{run.id}").status_code == 404
    assert rep1.get(f"/reports/{run.id}/download").status_code == 404
    assert rep1.get(f"/reports/{run.id}/progress", headers=HTMX).status_code == 404
    assert f"/reports/{run.id}\"" not in rep1.get("/reports/").get_data(as_text=True)
    count = db.session.scalar(select(db.func.count(ReportRun.id)))
    assert rep1.post("/reports/request", data={"kind": "monthly", "period": MONTH,
                                               "scope": f"team:{run.team_id}"}).status_code == 403
    assert rep1.post("/reports/request", data={"kind": "monthly", "period": MONTH, "scope": "all"}).status_code == 403
    supervisor1 = login("supervisor1")
    assert supervisor1.get(f"/reports/{run.id}").status_code == 404
    assert supervisor1.post("/reports/request", data={"kind": "monthly", "period": MONTH,
                                                      "scope": f"team:{run.team_id}"}).status_code == 403
    assert db.session.scalar(select(db.func.count(ReportRun.id))) == count  # nothing was queued
    # Their own scope is fine; the team-2 supervisor sees the team-2 report.
    assert rep1.post("/reports/request", data={"kind": "monthly", "period": MONTH,
                                               "scope": f"rep:{users['rep1'].id}"}).status_code == 303
    assert login("supervisor2").get(f"/reports/{run.id}").status_code == 200


def test_bad_period_is_refused_beside_the_field(app, login):
    assistant = login("assistant")
    for period in ("2026-13", "下个月", "2099-01"):
        response = assistant.post("/reports/request", data={"kind": "monthly", "period": period, "scope": "all"})
        assert response.status_code == 200
        assert "月份" in response.get_data(as_text=True) or "未来" in response.get_data(as_text=True)


def test_the_monthly_subscription_generates_last_months_report_and_mails_it_once(app, users, login, smtp_sink,
                                                                                 run_worker):
    from intranet.jobs.reports import monthly_subscriptions

    manager = login("manager")
    assert manager.post("/daily/subscriptions", data={"kind": "monthly", "address": "board@corp.example",
                                                      "label": "董事会"}).status_code == 303
    outcome = monthly_subscriptions()
    assert outcome.endswith(MONTH)
    assert monthly_subscriptions() == "—"  # a second tick: the month's run exists already
    result = run_worker()
    assert result.returncode == 0, result.stderr
    messages = smtp_sink.wait_for(3)  # the activity summary, the sales report and the collections
    assert [m["To"] for m in messages] == ["board@corp.example"] * 3
    subjects = {str(make_header(decode_header(m["Subject"]))) for m in messages}
    assert subjects == {f"{MONTH} 月度活动报表", f"{MONTH} 月度销售业绩报表", f"{MONTH} 合同履行与回款统计"}
    db.session.expire_all()
    runs = db.session.scalars(select(ReportRun).where(ReportRun.requested_by_id.is_(None))).all()
    assert {(r.kind, r.status, r.period) for r in runs} == {(k, "done", MONTH) for k in ("monthly", "sales", "collections")}
    assert len(smtp_sink.wait_for(4, timeout=1.5)) == 3


def test_the_weekly_subscription_generates_last_weeks_report_and_mails_it_once(app, users, login, smtp_sink,
                                                                               run_worker):
    from intranet.jobs.reports import weekly_subscriptions

    manager = login("manager")
    assert manager.post("/daily/subscriptions", data={"kind": "weekly", "address": "weekly@corp.example",
                                                      "label": "周报"}).status_code == 303
    assert "周报表" in manager.get("/daily/subscriptions").get_data(as_text=True)
    outcome = weekly_subscriptions()
    ids = db.session.scalars(select(ReportRun.id).where(ReportRun.requested_by_id.is_(None)).order_by(ReportRun.id))
    assert outcome == " ".join(f"#{i} 2026-W46" for i in ids) and outcome.count("#") == 2
    assert weekly_subscriptions() == "—"  # a second tick: the week's run exists already
    result = run_worker()
    assert result.returncode == 0, result.stderr
    messages = smtp_sink.wait_for(2)  # the activity summary and the sales report
    assert [m["To"] for m in messages] == ["weekly@corp.example"] * 2  # not the monthly subscribers
    db.session.expire_all()
    runs = db.session.scalars(select(ReportRun).where(ReportRun.requested_by_id.is_(None))).all()
    assert {(r.status, r.period) for r in runs} == {("done", "2026-W46")} and len(runs) == 2
    assert len(smtp_sink.wait_for(3, timeout=1.5)) == 2
