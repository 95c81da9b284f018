"""Visit plans (拜访计划表) signed through the approval engine, visit reports, plan vs actual, reminders.

Report deadline: a visit on day D is reported on time when filed by the end of day D + `visit_report_days`
(setting, 2 by default), Asia/Shanghai time. Functions that depend on the clock take `now`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask import abort, current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select, true
from sqlalchemy.orm import joinedload, selectinload

from ..clock import SHANGHAI, month_bounds, month_of, now_utc
from ..extensions import db
from ..models import User
from ..models.customers import Contact, Customer
from ..models.visits import PURPOSES, FollowUp, PlannedVisit, VisitPlan, VisitReport
from . import approvals, audit, notify
from . import customers as customer_rules
from . import settings as settings_service
from .errors import DomainError, Forbidden

STATUS_LABELS = {"draft": _l("草稿"), "submitted": _l("审批中"), "approved": _l("已批准"), "returned": _l("已退回修改"),
                 "rejected": _l("已驳回"), "superseded": _l("已被变更替代")}
EDITABLE = ("draft", "returned")
REVIEWERS = ("supervisor", "manager", "director")
STATS_VIEWERS = ("supervisor", "manager", "director", "gm", "assistant")


def local_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def _now(now: datetime | None) -> datetime:
    return now or now_utc()


# ---- months ----------------------------------------------------------------------

def parse_month(text: str) -> str:
    try:
        year, month = (int(p) for p in (text or "").split("-"))
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError
    except ValueError as exc:
        raise DomainError(_l("月份格式应为 YYYY-MM"), field="month") from exc
    return f"{year:04d}-{month:02d}"


def next_month(day: date) -> str:
    return month_of(month_bounds(month_of(day))[1] + timedelta(days=1))


# ---- scope -----------------------------------------------------------------------

def visible_plans(user: User):
    return select(VisitPlan).where(customer_rules.rep_scope(user, VisitPlan.rep_id))


def plans_waiting(user: User) -> list[tuple[VisitPlan, int]]:
    """Submitted plans `user` may review, oldest first, each with its number of visits, in one statement
    (the rep joined, the visits counted in SQL), so the desk card costs the same for any plans."""
    visits = (select(func.count(PlannedVisit.id)).where(PlannedVisit.plan_id == VisitPlan.id)
              .correlate(VisitPlan).scalar_subquery())  # per plan, on the plan_id index
    stmt = (visible_plans(user).where(VisitPlan.status == "submitted")
            .add_columns(visits)
            .options(joinedload(VisitPlan.rep))
            .order_by(VisitPlan.submitted_at, VisitPlan.id))
    return [(plan, n) for plan, n in db.session.execute(stmt)]


def visible_reports(user: User):
    return select(VisitReport).where(customer_rules.rep_scope(user, VisitReport.rep_id))


def get_plan_or_404(user: User, plan_id: int) -> VisitPlan:
    plan = db.session.get(VisitPlan, plan_id)
    if plan is None or not customer_rules.can_see_rep(user, plan.rep_id):
        abort(404)
    return plan


def get_report_or_404(user: User, report_id: int) -> VisitReport:
    report = db.session.get(VisitReport, report_id)
    if report is None or not customer_rules.can_see_rep(user, report.rep_id):
        abort(404)
    return report


def customers_for(rep: User) -> list[Customer]:
    return list(db.session.scalars(customer_rules.visible_query(rep).order_by(Customer.name)))


# ---- plans -----------------------------------------------------------------------

def _open_plan(rep_id: int, month: str) -> VisitPlan | None:
    """The plan that counts (or is being prepared) for a rep's month: anything not rejected or replaced."""
    return db.session.scalar(select(VisitPlan).where(
        VisitPlan.rep_id == rep_id, VisitPlan.month == month, VisitPlan.amends_id.is_(None),
        VisitPlan.status.not_in(("rejected", "superseded"))))


def create_plan(actor: User, month: str, now: datetime | None = None) -> VisitPlan:
    if actor.role != "rep":
        raise Forbidden(_l("只有销售代表填写拜访计划"))
    month = parse_month(month)
    if month < month_of(local_day(_now(now))):
        raise DomainError(_l("不能为过去的月份编制计划"), field="month")
    if _open_plan(actor.id, month) or effective_plan(actor.id, month):
        raise DomainError(_l("该月已有拜访计划；已批准的计划请提交变更"), field="month")
    plan = VisitPlan(rep=actor, month=month)
    db.session.add(plan)
    db.session.flush()
    audit.record(actor, "visit_plan.create", plan, after={"month": month})
    return plan


def effective_plan(rep_id: int, month: str) -> VisitPlan | None:
    return db.session.scalar(select(VisitPlan).where(
        VisitPlan.rep_id == rep_id, VisitPlan.month == month, VisitPlan.status == "approved"))


def _check_editable(actor: User, plan: VisitPlan) -> None:
    if plan.rep_id != actor.id:
        raise Forbidden(_l("只能修改自己的拜访计划"))
    if plan.status not in EDITABLE:
        raise DomainError(_l("计划已提交或已批准，不能修改；已批准的计划请提交变更"))


def _row_values(plan: VisitPlan, customer_id, day, hours, purpose, items, expected_cost) -> dict:
    customer = db.session.get(Customer, customer_id) if customer_id else None
    if customer is None or not customer_rules.can_see_rep(plan.rep, customer.owner_id):
        raise DomainError(_l("请选择您负责的客户"), field="customer")
    first, last = month_bounds(plan.month)
    if day is None or not first <= day <= last:
        raise DomainError(_l("日期必须在 %(month)s 内", month=plan.month), field="date")
    try:
        hours = Decimal(str(hours or "")).quantize(Decimal("0.1"))
    except InvalidOperation as exc:
        raise DomainError(_l("请填写停留时数"), field="hours") from exc
    if not Decimal("0") < hours <= Decimal("24"):
        raise DomainError(_l("停留时数应在 0 到 24 小时之间"), field="hours")
    if purpose not in PURPOSES:
        raise DomainError(_l("请选择拜访目的"), field="purpose")
    if not isinstance(expected_cost, Decimal) or expected_cost < 0:
        raise DomainError(_l("预计费用不正确"), field="expected_cost")
    return {"customer": customer, "date": day, "hours": hours, "purpose": purpose, "items": (items or "").strip(),
            "expected_cost": expected_cost}


def add_visit(actor: User, plan: VisitPlan, customer_id, day, hours, purpose, items="",
              expected_cost=Decimal("0.00")) -> PlannedVisit:
    _check_editable(actor, plan)
    row = PlannedVisit(plan=plan, **_row_values(plan, customer_id, day, hours, purpose, items, expected_cost))
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "visit_plan.row.add", plan, after=_row_dict(row))
    return row


def update_visit(actor: User, row: PlannedVisit, customer_id, day, hours, purpose, items="",
                 expected_cost=Decimal("0.00")) -> PlannedVisit:
    _check_editable(actor, row.plan)
    before = _row_dict(row)
    for key, value in _row_values(row.plan, customer_id, day, hours, purpose, items, expected_cost).items():
        setattr(row, key, value)
    db.session.flush()
    audit.record(actor, "visit_plan.row.update", row.plan, before=before, after=_row_dict(row))
    return row


def delete_visit(actor: User, row: PlannedVisit) -> None:
    _check_editable(actor, row.plan)
    plan = row.plan
    audit.record(actor, "visit_plan.row.delete", plan, before=_row_dict(row))
    plan.visits.remove(row)
    db.session.flush()


def _row_dict(row: PlannedVisit) -> dict:
    return {"row": row.id, "customer": row.customer.name, "date": str(row.date), "hours": str(row.hours),
            "purpose": row.purpose, "items": row.items, "expected_cost": row.expected_cost}


def submit_plan(actor: User, plan: VisitPlan):
    _check_editable(actor, plan)
    if not plan.visits:
        raise DomainError(_l("计划中至少需要一条拜访"))
    return approvals.submit(actor, "visit_plan", plan)


def amend(actor: User, plan: VisitPlan) -> VisitPlan:
    """A new version of an approved plan, rows copied; it replaces the old one when approved."""
    if plan.rep_id != actor.id:
        raise Forbidden(_l("只能变更自己的拜访计划"))
    if plan.status != "approved":
        raise DomainError(_l("只有已批准的计划可以变更"))
    pending = db.session.scalar(select(VisitPlan).where(
        VisitPlan.amends_id == plan.id, VisitPlan.status.in_(("draft", "submitted", "returned"))))
    if pending is not None:
        return pending
    new = VisitPlan(rep=actor, month=plan.month, version=plan.version + 1, amends=plan)
    for row in plan.visits:
        new.visits.append(PlannedVisit(customer=row.customer, date=row.date, hours=row.hours, purpose=row.purpose,
                                       items=row.items, expected_cost=row.expected_cost, origin_id=row.id))
    db.session.add(new)
    db.session.flush()
    audit.record(actor, "visit_plan.amend", new, after={"amends": plan.id, "version": new.version})
    return new


def open_amendment(plan: VisitPlan) -> VisitPlan | None:
    return db.session.scalar(select(VisitPlan).where(VisitPlan.amends_id == plan.id,
                                                     VisitPlan.status.not_in(("rejected", "superseded"))))


def _approved(plan: VisitPlan, actor: User) -> None:
    before = plan.status
    plan.status, plan.approved_at = "approved", now_utc()
    old = plan.amends
    if old is not None and old.status == "approved":
        old.status = "superseded"
        carried = {row.origin_id: row for row in plan.visits if row.origin_id}
        reports = db.session.scalars(select(VisitReport).where(
            VisitReport.planned_visit_id.in_([r.id for r in old.visits])))
        for report in reports:
            # A report follows its visit into the new version; a visit dropped by the change keeps its
            # report as an unplanned one.
            new_row = carried.get(report.planned_visit_id)
            report.planned_visit_id = new_row.id if new_row else None
        audit.record(actor, "visit_plan.superseded", old, before={"status": "approved"},
                     after={"status": "superseded", "by": plan.id})
    audit.record(actor, "visit_plan.approved", plan, before={"status": before}, after={"status": plan.status})


def _set_status(plan: VisitPlan, actor: User, status: str) -> None:
    before = plan.status
    plan.status = status
    if status == "submitted":
        plan.submitted_at = now_utc()
    audit.record(actor, f"visit_plan.{status}", plan, before={"status": before}, after={"status": status})


def _plan_title(plan: VisitPlan) -> str:
    suffix = str(_l("（变更 v%(v)d）", v=plan.version)) if plan.version > 1 else ""
    return f"{_l('拜访计划')} {plan.month} · {plan.rep.name}{suffix}"


class VisitPlanAdapter(approvals.ModelAdapter):
    def on_approved(self, doc, actor):
        _approved(doc, actor)  # supersedes the plan it amends and carries the reports over


approvals.register(VisitPlanAdapter(
    "visit_plan", _l("拜访计划"), default_steps=[approvals.step_dict(_l("直属主管审核"), "line_manager")],
    model=VisitPlan, owner_attr="rep", title_of=_plan_title, endpoint="visits.plan_detail", id_arg="plan_id",
    summary_of=lambda d: [(_l("月份"), d.month), (_l("拜访次数"), len(d.visits)), (_l("预计费用合计"), d.total_cost)],
    statuses={"submitted": "submitted", "rejected": "rejected", "returned": "returned", "withdrawn": "draft"},
    on_status=_set_status))


def _link(endpoint: str, **values) -> str:
    """A site-relative link, also from a job (no request): built straight from the URL map."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("").build(endpoint, values)


# ---- reports ---------------------------------------------------------------------

def report_days() -> int:
    return settings_service.get("visit_report_days")


def due_date(visit_date: date, days: int | None = None) -> date:
    return visit_date + timedelta(days=report_days() if days is None else days)


def filed_late(report: VisitReport, days: int | None = None) -> bool:
    return local_day(report.filed_at) > due_date(report.visit_date, days)


def is_overdue(visit_date: date, now: datetime | None = None, days: int | None = None) -> bool:
    """No report yet and the last day to file it has passed (Asia/Shanghai)."""
    return local_day(_now(now)) > due_date(visit_date, days)


def report_for(row: PlannedVisit) -> VisitReport | None:
    return db.session.scalar(select(VisitReport).where(VisitReport.planned_visit_id == row.id))


def file_report(actor: User, *, outcome: str, promises: str = "", follow_ups=(), planned_visit=None,
                customer=None, visit_date: date | None = None, now: datetime | None = None) -> VisitReport:
    """Report a planned visit (its plan approved and in force) or an unplanned one (customer + date)."""
    now = _now(now)
    if actor.role != "rep":
        raise Forbidden(_l("只有销售代表提交拜访报告"))
    if planned_visit is not None:
        if planned_visit.plan.rep_id != actor.id:
            raise Forbidden(_l("只能报告自己的拜访"))
        if planned_visit.plan.status != "approved":
            raise DomainError(_l("该拜访所在的计划尚未批准"))
        if report_for(planned_visit) is not None:
            raise DomainError(_l("该拜访已提交报告"))
        customer, visit_date = planned_visit.customer, planned_visit.date
    if customer is None or not customer_rules.can_see_rep(actor, customer.owner_id):
        raise DomainError(_l("请选择您负责的客户"), field="customer")
    if visit_date is None:
        raise DomainError(_l("请填写拜访日期"), field="visit_date")
    if visit_date > local_day(now):
        raise DomainError(_l("拜访日期还未到，不能提前提交报告"), field="visit_date")
    if not (outcome or "").strip():
        raise DomainError(_l("请填写拜访结果"), field="outcome")
    items = [(a.strip(), d) for a, d in follow_ups if (a or "").strip() or d]
    for action, due_on in items:
        if not action or due_on is None:
            raise DomainError(_l("后续事项需要同时填写内容和完成日期"), field="follow_ups")
        if due_on < visit_date:
            raise DomainError(_l("后续事项的完成日期不能早于拜访日期"), field="follow_ups")
    report = VisitReport(rep=actor, planned_visit=planned_visit, customer=customer, visit_date=visit_date,
                         outcome=outcome.strip(), promises=(promises or "").strip(), filed_at=now)
    report.follow_ups = [FollowUp(action=a, due_on=d, assignee=actor) for a, d in items]
    db.session.add(report)
    customer.last_contact_at = max(customer.last_contact_at or now, now)
    db.session.flush()
    audit.record(actor, "visit_report.file", report, after={
        "customer": customer.name, "visit_date": str(visit_date), "planned_visit": report.planned_visit_id,
        "late": filed_late(report)})
    return report


def review(actor: User, report: VisitReport, comment: str, now: datetime | None = None) -> VisitReport:
    if actor.role not in REVIEWERS or not customer_rules.can_see_rep(actor, report.rep_id) or actor.id == report.rep_id:
        raise Forbidden(_l("只有该销售代表的主管可以审阅报告"))
    if report.reviewed_at is not None:
        raise DomainError(_l("该报告已审阅"))
    report.reviewed_by, report.reviewed_at, report.review_comment = actor, _now(now), (comment or "").strip()
    db.session.flush()
    audit.record(actor, "visit_report.review", report, after={"comment": report.review_comment})
    return report


@dataclass
class DueVisit:
    row: PlannedVisit
    due_on: date
    overdue: bool


def reports_due(rep: User, now: datetime | None = None) -> list[DueVisit]:
    """Visits of the rep's approved plans that happened (today or before) and have no report yet."""
    today = local_day(_now(now))
    days = report_days()
    # A correlated NOT EXISTS (the report's planned_visit_id index, per visit of the window), not NOT IN
    # over every report's visit: that read the whole visit_report table for each rep desk (19 ms at 41,000).
    reported = exists().where(VisitReport.planned_visit_id == PlannedVisit.id)
    rows = db.session.scalars(
        select(PlannedVisit).join(VisitPlan).where(
            VisitPlan.rep_id == rep.id, VisitPlan.status == "approved", PlannedVisit.date <= today,
            PlannedVisit.date >= today - timedelta(days=62), ~reported)
        .options(selectinload(PlannedVisit.customer)).order_by(PlannedVisit.date))
    return [DueVisit(r, due_date(r.date, days), is_overdue(r.date, now, days)) for r in rows]


# ---- follow-up actions, tracked to done --------------------------------------------

FOLLOW_UP_TODO = "follow-up:"


def visible_follow_ups(user: User):
    """Follow-ups the user may see: their own (also taken over from a leaver), their reps' for a
    supervisor, all for the department roles."""
    return (select(FollowUp).join(VisitReport)
            .where(customer_rules.rep_scope(user, VisitReport.rep_id) | (FollowUp.assignee_id == user.id)))


def open_follow_ups(user: User) -> list[FollowUp]:
    """The user's own open follow-ups, soonest first (the rep's desk)."""
    return list(db.session.scalars(
        select(FollowUp).where(FollowUp.assignee_id == user.id, FollowUp.done_at.is_(None))
        .options(selectinload(FollowUp.report).selectinload(VisitReport.customer))
        .order_by(FollowUp.due_on, FollowUp.id)))


def overdue_follow_ups(user: User, now: datetime | None = None) -> list[FollowUp]:
    """Open follow-ups past their due date among the user's team (supervisor) or the department."""
    today = local_day(_now(now))
    # No join to the reports for those who see every rep: PostgreSQL guessed hundreds of overdue rows (most
    # follow-ups are old, and it cannot know the open ones are not) and hashed every visit report to join them.
    in_scope = (true() if user.role in customer_rules.ALL_SCOPE else
                exists().where(VisitReport.id == FollowUp.report_id, customer_rules.rep_scope(user, VisitReport.rep_id)))
    return list(db.session.scalars(
        select(FollowUp).where(in_scope, FollowUp.done_at.is_(None), FollowUp.due_on < today)
        .options(selectinload(FollowUp.assignee),
                 selectinload(FollowUp.report).selectinload(VisitReport.customer))
        .order_by(FollowUp.due_on, FollowUp.id)))


def get_follow_up_or_404(user: User, follow_up_id: int) -> FollowUp:
    item = db.session.get(FollowUp, follow_up_id)
    if item is None or not (item.assignee_id == user.id or customer_rules.can_see_rep(user, item.report.rep_id)):
        abort(404)
    return item


def complete_follow_up(actor: User, item: FollowUp, note: str, now: datetime | None = None) -> FollowUp:
    """Mark done with a note, once: the row is locked so two clicks never give two outcomes."""
    if item.assignee_id != actor.id:
        raise Forbidden(_l("只能完成分配给自己的后续事项"))
    audit.lock()
    item = db.session.scalar(select(FollowUp).where(FollowUp.id == item.id).with_for_update()
                             .execution_options(populate_existing=True))
    if item.done_at is not None:
        raise DomainError(_l("该后续事项已完成"))
    note = (note or "").strip()
    if not note:
        raise DomainError(_l("请填写完成情况"), field="note")
    item.done_at, item.done_by, item.done_note = _now(now), actor, note[:2000]
    db.session.flush()
    notify.close_todos([f"{FOLLOW_UP_TODO}{item.id}:"])
    audit.record(actor, "follow_up.done", item, after={"action": item.action, "note": item.done_note})
    return item


def hand_over_follow_ups(leaver: User, successor: User) -> list[FollowUp]:
    """A leaver's open follow-ups to their successor (reminded afresh when due: the key names the person)."""
    items = open_follow_ups(leaver)
    for item in items:
        notify.close_todos([f"{FOLLOW_UP_TODO}{item.id}:"])
        item.assignee = successor
    db.session.flush()
    return items


def remind_follow_ups(now: datetime | None = None) -> int:
    """Open follow-ups due tomorrow or earlier: one reminder each to the assignee (to-do + email)."""
    tomorrow = local_day(_now(now)) + timedelta(days=1)
    sent = 0
    rows = db.session.scalars(
        select(FollowUp).where(FollowUp.done_at.is_(None), FollowUp.due_on <= tomorrow, FollowUp.assignee_id.is_not(None))
        .options(selectinload(FollowUp.assignee), selectinload(FollowUp.report).selectinload(VisitReport.customer)))
    for item in rows:
        if item.assignee.active:
            sent += _remind(f"{FOLLOW_UP_TODO}{item.id}:due:u{item.assignee_id}", item.assignee,
                            _l("后续事项到期：%(action)s（%(customer)s，%(date)s 前完成）", action=item.action,
                               customer=item.report.customer.name, date=item.due_on.isoformat()),
                            _link("visits.follow_ups"))
    return sent


# ---- plan vs actual -----------------------------------------------------------------

@dataclass
class Figures:
    rep: User | None
    label: str
    planned: int = 0
    done: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0
    unplanned: int = 0

    @property
    def rate(self) -> Decimal | None:
        """计划达成率: planned visits reported / planned visits."""
        if not self.planned:
            return None
        return (Decimal(self.done) * 100 / Decimal(self.planned)).quantize(Decimal("0.1"))

    def add(self, other: Figures) -> None:
        for name in ("planned", "done", "on_time", "late", "missed", "unplanned"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def plan_vs_actual(user: User, month: str, now: datetime | None = None) -> tuple[list[Figures], list[Figures]]:
    """Per rep and per team for a month. on_time/late count every report of the month (planned or not)."""
    if user.role not in STATS_VIEWERS:
        raise Forbidden(_l("您无权查看计划达成情况"))
    month = parse_month(month)
    first, last = month_bounds(month)
    days = report_days()
    reps = list(db.session.scalars(select(User).where(
        User.role == "rep", customer_rules.rep_scope(user, User.id)).options(selectinload(User.team))
        .order_by(User.team_id, User.id)))
    rep_ids = [r.id for r in reps]
    plans = {p.rep_id: p for p in db.session.scalars(
        select(VisitPlan).where(VisitPlan.rep_id.in_(rep_ids), VisitPlan.month == month,
                                VisitPlan.status == "approved").options(selectinload(VisitPlan.visits)))}
    reports = list(db.session.scalars(select(VisitReport).where(
        VisitReport.rep_id.in_(rep_ids), VisitReport.visit_date >= first, VisitReport.visit_date <= last)))
    by_rep: dict[int, list[VisitReport]] = {}
    for report in reports:
        by_rep.setdefault(report.rep_id, []).append(report)
    rows, teams = [], {}
    for rep in reps:
        fig = Figures(rep, rep.name)
        plan = plans.get(rep.id)
        planned_ids = {v.id for v in plan.visits} if plan else set()
        reported = {r.planned_visit_id for r in by_rep.get(rep.id, []) if r.planned_visit_id in planned_ids}
        fig.planned, fig.done = len(planned_ids), len(reported)
        fig.missed = sum(1 for v in (plan.visits if plan else []) if v.id not in reported and is_overdue(v.date, now, days))
        for report in by_rep.get(rep.id, []):
            fig.unplanned += report.planned_visit_id not in planned_ids
            if filed_late(report, days):
                fig.late += 1
            else:
                fig.on_time += 1
        rows.append(fig)
        team_name = rep.team.name if rep.team else str(_l("未分组"))
        teams.setdefault(team_name, Figures(None, team_name)).add(fig)
    return rows, list(teams.values())


# ---- reminders (run daily by jobs/reminders.py) --------------------------------------

def _remind(key: str, user: User, subject, link: str = "") -> int:
    notify.todo(key, user, str(subject), link)
    return int(notify.email(key, user.email, str(subject), str(subject)) is not None)


def remind_plans_due(now: datetime | None = None) -> int:
    today = local_day(_now(now))
    if (month_bounds(month_of(today))[1] - today).days >= 3:
        return 0
    month = next_month(today)
    done = set(db.session.scalars(select(VisitPlan.rep_id).where(
        VisitPlan.month == month, VisitPlan.status.in_(("submitted", "approved")))))
    sent = 0
    for rep in db.session.scalars(select(User).where(User.role == "rep", User.active)):
        if rep.id not in done:
            sent += _remind(f"visit-plan-due:{rep.id}:{month}", rep,
                            _l("请在月底前提交 %(month)s 的拜访计划", month=month), _link("visits.plans"))
    return sent


def remind_reports_overdue(now: datetime | None = None) -> int:
    sent = 0
    for rep in db.session.scalars(select(User).where(User.role == "rep", User.active)):
        for due in reports_due(rep, now):
            if due.overdue:
                sent += _remind(f"visit-report-overdue:{due.row.id}", rep,
                                _l("拜访报告已逾期：%(customer)s（%(date)s 拜访）", customer=due.row.customer.name,
                                   date=due.row.date.isoformat()), _link("visits.report_new", visit=due.row.id))
    return sent


def remind_callbacks(now: datetime | None = None) -> int:
    today = local_day(_now(now))
    sent = 0
    customers = db.session.scalars(select(Customer).where(Customer.stage != "dormant")
                                   .options(selectinload(Customer.owner)))
    for customer in customers:
        due_on = customer_rules.next_callback(customer)
        if due_on <= today and customer.owner.active:
            sent += _remind(f"callback-due:{customer.id}:{due_on.isoformat()}", customer.owner,
                            _l("客户回访到期：%(name)s（应于 %(date)s 回访）", name=customer.name, date=due_on.isoformat()),
                            _link("customers.detail", customer_id=customer.id))
    return sent


def remind_certificates(now: datetime | None = None, days: int = 30) -> int:
    today = local_day(_now(now))
    assistants = list(db.session.scalars(select(User).where(User.role == "assistant", User.active)))
    sent = 0
    for cert in customer_rules.expiring_certificates(today, days):
        subject = _l("证照即将到期：%(customer)s 的%(name)s(%(date)s)", customer=cert.customer.name, name=cert.name,
                     date=cert.expires_on.isoformat())
        for user in {u.id: u for u in [cert.customer.owner, *assistants] if u.active}.values():
            sent += _remind(f"certificate-expiry:{cert.id}:{cert.expires_on.isoformat()}:u{user.id}", user, subject,
                            _link("customers.detail", customer_id=cert.customer_id))
    return sent


def remind_birthdays(now: datetime | None = None) -> int:
    today = local_day(_now(now))
    sent = 0
    contacts = db.session.scalars(select(Contact).where(Contact.birthday.is_not(None))
                                  .options(selectinload(Contact.customer).selectinload(Customer.owner)))
    for contact in contacts:
        if _birthday_on(contact.birthday, today) and contact.customer.owner.active:
            sent += _remind(f"birthday:{contact.id}:{today.year}", contact.customer.owner,
                            _l("今天是 %(customer)s %(name)s 的生日，记得送上祝福", customer=contact.customer.name,
                               name=contact.name), _link("customers.detail", customer_id=contact.customer_id))
    return sent


def remind_complaints(now: datetime | None = None) -> int:
    """An open complaint (or routed feedback) with a deadline: its assignee is reminded the day before
    the deadline (or on it), and after it has passed the assignee's line manager is told — once each."""
    from ..models.customers import Interaction

    today = local_day(_now(now))
    items = db.session.scalars(
        select(Interaction).where(Interaction.kind.in_(("complaint", "feedback")), Interaction.resolved_at.is_(None),
                                  Interaction.deadline.is_not(None), Interaction.assignee_id.is_not(None),
                                  Interaction.deadline <= today + timedelta(days=1))
        .options(selectinload(Interaction.assignee).selectinload(User.reports_to), selectinload(Interaction.customer)))
    sent = 0
    for item in items:
        link = _link("customers.detail", customer_id=item.customer_id)
        label = customer_rules.INTERACTION_LABELS[item.kind]
        if item.deadline >= today and item.assignee.active:
            sent += _remind(f"complaint-due:{item.id}:u{item.assignee_id}", item.assignee,
                            _l("%(kind)s处理期限将到：%(customer)s（%(date)s 前）", kind=label,
                               customer=item.customer.name, date=item.deadline.isoformat()), link)
        elif item.deadline < today:
            boss = item.assignee.reports_to
            if boss is None or not boss.active:
                boss = db.session.scalar(select(User).where(User.role == "manager", User.active).order_by(User.id))
            if boss is not None:
                sent += _remind(f"complaint-overdue:{item.id}:u{boss.id}", boss,
                                _l("%(kind)s已超期未处理：%(customer)s（处理人 %(name)s，期限 %(date)s）", kind=label,
                                   customer=item.customer.name, name=item.assignee.name,
                                   date=item.deadline.isoformat()), link)
    return sent


def _birthday_on(birthday: date, today: date) -> bool:
    if (birthday.month, birthday.day) == (2, 29) and not calendar.isleap(today.year):
        return (today.month, today.day) == (2, 28)
    return (birthday.month, birthday.day) == (today.month, today.day)


def send_reminders(now: datetime | None = None) -> dict[str, int]:
    return {"plans_due": remind_plans_due(now), "reports_overdue": remind_reports_overdue(now),
            "callbacks": remind_callbacks(now), "certificates": remind_certificates(now),
            "birthdays": remind_birthdays(now), "follow_ups": remind_follow_ups(now),
            "complaints": remind_complaints(now)}

