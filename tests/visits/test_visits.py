"""Visit plans through the approval engine, reports and their deadline, plan vs actual, scope."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from visit_helpers import approved_plan, clear_demo_visits, customer_of

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import PlannedVisit, VisitPlan, VisitReport
from intranet.services import approvals
from intranet.services import visits as svc
from intranet.services.errors import DomainError, Forbidden

NOV = datetime(2026, 11, 2, 2, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_demo_plans(app):
    clear_demo_visits()


def _row(customer, day="2026-12-07", **extra):
    return {"customer": customer.id, "date": day, "hours": "2.5", "purpose": "客户维护", "items": "样品",
            "expected_cost": "120.50"} | extra


def test_plan_editor_submit_return_resubmit_approve(app, users, login):
    c = login("rep1")
    r = c.post("/visits/plans/new", data={"month": "2026-12"})
    assert r.status_code == 303
    plan = db.session.scalar(db.select(VisitPlan))
    url = f"/visits/plans/{plan.id}"
    htmx = {"HX-Request": "true"}
    r = c.post(f"{url}/rows", data=_row(customer_of("rep1")), headers=htmx)
    assert r.status_code == 200 and "<html" not in r.text
    assert 'id="rows" data-hx-swap-oob="true"' in r.text and customer_of("rep1").name in r.text
    # errors next to the field, nothing written
    r = c.post(f"{url}/rows", data=_row(customer_of("rep2")), headers=htmx)
    assert "请选择您负责的客户" in r.text
    r = c.post(f"{url}/rows", data=_row(customer_of("rep1"), day="2027-01-03"), headers=htmx)
    assert "日期必须在 2026-12 内" in r.text
    r = c.post(f"{url}/rows", data=_row(customer_of("rep1"), expected_cost="-1"), headers=htmx)
    assert "金额不能为负数" in r.text
    db.session.expire_all()
    assert len(plan.visits) == 1 and plan.visits[0].expected_cost == Decimal("120.50")
    assert login("rep2").post(f"{url}/rows", data=_row(customer_of("rep2"))).status_code == 404

    assert c.post(f"{url}/submit").status_code == 303
    db.session.expire_all()
    assert plan.status == "submitted" and plan.locked
    with pytest.raises(DomainError):
        svc.add_visit(users["rep1"], plan, customer_of("rep1").id, date(2026, 12, 8), "1", "市场调查")
    assert "计划已提交" in c.post(f"{url}/rows", data=_row(customer_of("rep1")), headers=htmx).text
    req = approvals.request_for("visit_plan", plan.id)
    assert [u.username for u in approvals.holders(req)] == ["supervisor1"]
    assert "待审核的拜访计划" in login("supervisor1").get("/supervisor/").text

    s = login("supervisor1")
    r = s.post(f"/approvals/{req.id}/decide", data={"action": "return", "comment": "请补充结清货款的拜访",
                                                    "step_index": 0, "round": 1, "next": url})
    assert r.status_code in (200, 303)
    db.session.expire_all()
    assert plan.status == "returned"
    assert "请补充结清货款的拜访" in c.get(url).text
    row = plan.visits[0]
    r = c.get(f"{url}/rows/{row.id}", headers=htmx)
    assert 'id="row-edit"' in r.text
    r = c.post(f"{url}/rows/{row.id}", data=_row(customer_of("rep1"), purpose="结清货款"), headers=htmx)
    assert r.status_code == 200 and "结清货款" in r.text
    c.post(f"{url}/submit")
    approvals.decide(users["supervisor1"], req.id, "approve")
    db.session.commit()
    assert plan.status == "approved" and plan.approved_at is not None
    assert c.get(f"{url}/print").status_code == 200


def test_amendment_is_approved_again_and_replaces_the_plan(app, users):
    plan = approved_plan(users, days=(date(2026, 11, 5), date(2026, 11, 25)), now=NOV)
    rep = users["rep1"]
    report = svc.file_report(rep, outcome="谈妥", planned_visit=plan.visits[0], now=datetime(2026, 11, 6, tzinfo=UTC))
    amendment = svc.amend(rep, plan)
    assert svc.amend(rep, plan) is amendment  # one open amendment at a time
    assert amendment.version == 2 and len(amendment.visits) == 2 and plan.status == "approved"
    svc.delete_visit(rep, amendment.visits[1])
    svc.add_visit(rep, amendment, customer_of("rep1").id, date(2026, 11, 27), "1", "新产品推广")
    with pytest.raises(DomainError):
        svc.add_visit(rep, plan, customer_of("rep1").id, date(2026, 11, 27), "1", "新产品推广")  # locked
    req = svc.submit_plan(rep, amendment)
    approvals.decide(users["supervisor1"], req.id, "approve")
    db.session.commit()
    assert plan.status == "superseded" and amendment.status == "approved"
    assert svc.effective_plan(rep.id, "2026-11") is amendment
    assert report.planned_visit.plan_id == amendment.id  # the report followed its visit


def test_rep_cannot_see_other_reps_plans_or_reports(app, users, login):
    mine = approved_plan(users, "rep1", now=NOV)
    theirs = approved_plan(users, "rep2", now=NOV)
    other_team = approved_plan(users, "rep3", now=NOV)
    at = datetime(2026, 11, 11, tzinfo=UTC)
    my_report = svc.file_report(users["rep1"], outcome="甲", planned_visit=mine.visits[0], now=at)
    their_report = svc.file_report(users["rep2"], outcome="乙方报告", planned_visit=theirs.visits[0], now=at)
    svc.file_report(users["rep3"], outcome="丙方报告", planned_visit=other_team.visits[0], now=at)
    db.session.commit()
    c = login("rep1")
    for url in (f"/visits/plans/{theirs.id}", f"/visits/plans/{theirs.id}/rows", f"/visits/plans/{theirs.id}/print",
                f"/visits/reports/{their_report.id}", f"/visits/reports/new?visit={theirs.visits[0].id}",
                f"/visits/plans/{theirs.id}/rows/{theirs.visits[0].id}"):
        assert c.get(url).status_code == 404, url
    assert c.post(f"/visits/plans/{theirs.id}/submit").status_code == 404
    assert c.get(f"/visits/plans/{mine.id}").status_code == 200
    assert c.get(f"/visits/reports/{my_report.id}").status_code == 200
    for url in ("/visits/plans", "/visits/reports"):
        text = c.get(url, headers={"HX-Request": "true"}).text
        assert users["rep2"].name not in text and users["rep1"].name in text, url
    plans_xlsx = load_workbook(BytesIO(c.get("/visits/plans?format=xlsx").data)).active
    assert {r[1] for r in plans_xlsx.iter_rows(min_row=2, values_only=True)} == {users["rep1"].name}
    reports_xlsx = load_workbook(BytesIO(c.get("/visits/reports?format=xlsx").data)).active
    assert {r[1] for r in reports_xlsx.iter_rows(min_row=2, values_only=True)} == {users["rep1"].name}
    assert c.get("/visits/stats").status_code == 403

    s = login("supervisor1")
    text = s.get("/visits/reports").text
    assert "乙方报告" not in text  # the list shows customers, not outcomes; check names instead
    assert users["rep2"].name in text and users["rep3"].name not in text
    assert s.get(f"/visits/plans/{other_team.id}").status_code == 404
    assert s.get(f"/visits/reports/{their_report.id}").status_code == 200
    stats = s.get("/visits/stats?month=2026-11").text
    assert 'data-rep="rep1"' in stats and 'data-rep="rep2"' in stats and 'data-rep="rep3"' not in stats
    stats_xlsx = load_workbook(BytesIO(s.get("/visits/stats?month=2026-11&format=xlsx").data)).active
    labels = [r[0] for r in stats_xlsx.iter_rows(min_row=2, values_only=True)]
    assert labels == [users["rep1"].name, users["rep2"].name, "华东一组"]
    assert 'data-rep="rep3"' in login("manager").get("/visits/stats?month=2026-11").text


@pytest.mark.parametrize(("visit_day", "filed_utc", "late"), [
    # day 2 vs day 3 (Asia/Shanghai = UTC+8: 16:00 UTC is midnight there)
    (date(2026, 11, 10), datetime(2026, 11, 12, 15, 59, 59, tzinfo=UTC), False),
    (date(2026, 11, 10), datetime(2026, 11, 12, 16, 0, tzinfo=UTC), True),
    # month end: visit on 30 Nov, due 2 Dec
    (date(2026, 11, 30), datetime(2026, 12, 2, 15, 59, tzinfo=UTC), False),  # 2 Dec 23:59 Shanghai
    (date(2026, 11, 30), datetime(2026, 12, 2, 16, 0, tzinfo=UTC), True),  # 3 Dec 00:00 Shanghai
    # the visit day itself, in the Shanghai morning that is still the previous day in UTC
    (date(2026, 11, 20), datetime(2026, 11, 19, 16, 30, tzinfo=UTC), False),
])
def test_report_deadline_boundaries(app, users, visit_day, filed_utc, late):
    report = svc.file_report(users["rep1"], outcome="拜访", customer=customer_of("rep1"), visit_date=visit_day,
                             now=filed_utc)
    assert svc.filed_late(report) is late
    assert svc.is_overdue(visit_day, filed_utc) is late


def test_due_dates_across_month_and_year_ends(app):
    assert svc.due_date(date(2026, 11, 30)) == date(2026, 12, 2)
    assert svc.due_date(date(2026, 12, 31)) == date(2027, 1, 2)
    assert svc.due_date(date(2027, 2, 27)) == date(2027, 3, 1)
    assert svc.due_date(date(2028, 2, 28)) == date(2028, 3, 1)  # leap year: 29 Feb in between


def test_report_cannot_be_filed_before_the_visit(app, users):
    plan = approved_plan(users, days=(date(2026, 11, 30),), now=NOV)
    before = datetime(2026, 11, 29, 15, 59, tzinfo=UTC)  # 23:59 on the 29th in Shanghai
    with pytest.raises(DomainError):
        svc.file_report(users["rep1"], outcome="x", planned_visit=plan.visits[0], now=before)
    assert svc.reports_due(users["rep1"], before) == []
    due = svc.reports_due(users["rep1"], datetime(2026, 12, 2, 16, 0, tzinfo=UTC))
    assert [(d.row.id, d.due_on, d.overdue) for d in due] == [(plan.visits[0].id, date(2026, 12, 2), True)]


def test_plan_vs_actual_figures(app, users):
    plan = approved_plan(users, days=(date(2026, 11, 3), date(2026, 11, 5), date(2026, 11, 9), date(2026, 11, 27)),
                         now=NOV)
    rep = users["rep1"]
    svc.file_report(rep, outcome="按时", planned_visit=plan.visits[0], now=datetime(2026, 11, 4, tzinfo=UTC))
    svc.file_report(rep, outcome="迟交", planned_visit=plan.visits[1], now=datetime(2026, 11, 9, tzinfo=UTC))
    svc.file_report(rep, outcome="计划外", customer=customer_of("rep1"), visit_date=date(2026, 11, 12),
                    now=datetime(2026, 11, 12, 8, tzinfo=UTC))
    rows, teams = svc.plan_vs_actual(users["supervisor1"], "2026-11", now=datetime(2026, 11, 23, 4, tzinfo=UTC))
    fig = next(f for f in rows if f.rep.username == "rep1")
    assert (fig.planned, fig.done, fig.on_time, fig.late, fig.missed, fig.unplanned) == (4, 2, 2, 1, 1, 1)
    assert fig.rate == Decimal("50.0")
    assert teams[0].label == "华东一组" and teams[0].planned == 4
    with pytest.raises(Forbidden):
        svc.plan_vs_actual(rep, "2026-11")


def test_supervisor_reviews_reports(app, users, login):
    plan = approved_plan(users, now=NOV)
    report = svc.file_report(users["rep1"], outcome="x", planned_visit=plan.visits[0],
                             now=datetime(2026, 11, 11, tzinfo=UTC))
    db.session.commit()
    assert login("supervisor2").post(f"/visits/reports/{report.id}/review", data={"comment": "好"}).status_code == 404
    assert login("rep1").post(f"/visits/reports/{report.id}/review").status_code == 403
    assert login("supervisor1").post(f"/visits/reports/{report.id}/review",
                                     data={"comment": "跟进报价"}).status_code == 303
    db.session.refresh(report)
    assert report.reviewed_by_id == users["supervisor1"].id and report.review_comment == "跟进报价"


@pytest.mark.calendar
def test_unplanned_report_through_the_form(app, users, login):
    c = login("rep1")
    visited, due = today_local() - timedelta(days=1), today_local() + timedelta(days=7)
    r = c.post("/visits/reports/new", data={"customer": customer_of("rep2").id, "visit_date": str(visited),
                                            "outcome": "x"})
    assert r.status_code == 200 and "请选择您负责的客户" in r.text
    r = c.post("/visits/reports/new", data={"customer": customer_of("rep1").id, "visit_date": str(visited),
                                            "outcome": "顺路拜访", "follow_ups-0-action": "寄资料"})
    assert "后续事项需要同时填写内容和完成日期" in r.text
    r = c.post("/visits/reports/new", data={"customer": customer_of("rep1").id, "visit_date": str(visited),
                                            "outcome": "顺路拜访", "follow_ups-0-action": "寄资料",
                                            "follow_ups-0-due_on": "2026-13-45"})
    assert r.status_code == 200 and "第 1 行完成日期" in r.text and "日期" in r.text.split("第 1 行完成日期")[1][:40]
    assert db.session.scalar(db.select(db.func.count(VisitReport.id))) == 0
    r = c.post("/visits/reports/new", data={"customer": customer_of("rep1").id, "visit_date": str(visited),
                                            "outcome": "顺路拜访", "follow_ups-0-action": "寄资料",
                                            "follow_ups-0-due_on": str(due)})
    assert r.status_code == 303
    report = db.session.scalar(db.select(VisitReport))
    assert report.unplanned and report.follow_ups[0].due_on == due
    assert db.session.scalar(db.select(db.func.count(PlannedVisit.id))) == 0


def test_desk_cards(app, users, login):
    plan = approved_plan(users, days=(date(2026, 11, 2),), now=NOV)  # its report is overdue by now
    customer = customer_of("rep1")
    customer.last_contact_at = datetime(2026, 9, 1, tzinfo=UTC)
    db.session.commit()
    rep_desk = login("rep1").get("/rep/").text
    assert "待交拜访报告" in rep_desk and f"/visits/reports/new?visit={plan.visits[0].id}" in rep_desk
    assert "客户回访" in rep_desk and customer.name in rep_desk and "已逾期" in rep_desk
    sup_desk = login("supervisor1").get("/supervisor/").text
    assert "未处理的投诉" in sup_desk and "上批滤芯到货包装破损" in sup_desk  # the demo complaint
    assert "上批滤芯" not in login("supervisor2").get("/supervisor/").text
    assistant_desk = login("assistant").get("/assistant/").text
    assert "30 天内到期的证照" in assistant_desk and customer.name in assistant_desk
    card = login("rep1").get("/rep/card/visit_reports_due", headers={"HX-Request": "true"})
    assert card.status_code == 200 and "<html" not in card.text


def test_demo_hooks_are_idempotent(app, users):
    from intranet.customers.demo import seed_complaint, seed_customers
    from intranet.visits.demo import seed_visits

    assert seed_visits(users) > 0  # the autouse fixture cleared the plans the app fixture's seed made
    plans = db.session.scalar(db.select(db.func.count(VisitPlan.id)))
    assert plans >= 3  # rep1's plans around today (two or three months) and rep3's
    assert (seed_customers(users), seed_complaint(users), seed_visits(users)) == (0, 0, 0)
    assert db.session.scalar(db.select(db.func.count(VisitPlan.id))) == plans
