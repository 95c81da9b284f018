"""Thin views: load the record within the user's scope (404), check the role (403), parse the form,
one service call, commit once, render the page or its fragment (HTMX) or redirect 303."""

import re
from datetime import date, timedelta

from flask import abort, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..clock import today_local
from ..extensions import db
from ..models import Order, PaymentNotice, Product
from ..models.targets import EDITABLE, SalesPlanLine
from ..services import approvals
from ..services import sales_figures as fig
from ..services import targets as svc
from ..services.errors import DomainError
from ..services.text_rules import whole_number
from ..web.actions import act as _act
from ..web.actions import done as _done
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.money_input import parse_amount
from ..web.pagination import Page, paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import PLAN_ROLES, bp
from .forms import AmountForm, PlanForm, PlanLineForm, TargetForm

CELL = re.compile(r"^cell-(\d+)-(\d+)$")
MONTH_TEXT = re.compile(r"^(\d{4})-(\d{2})$")


@bp.context_processor
def _labels():
    return {"svc": svc, "fig": fig, "basis_label": fig.basis_label}


def _form_error(form, exc: DomainError) -> None:
    db.session.rollback()
    field = form._fields.get(exc.field or "")
    if field is not None:
        field.errors = [*field.errors, str(exc.message)]
    else:
        form.form_errors.append(str(exc.message))


# ---- targets -------------------------------------------------------------------------------------

@bp.route("/", methods=["GET", "POST"])
@role_required(*svc.LEADERS)
def index():
    form = TargetForm()
    if request.method == "POST":
        if current_user.role not in svc.EDITORS:
            abort(403)
        if form.validate_on_submit():
            if form.amount.amount is None:
                form.amount.errors = [str(_l("请填写金额"))]
            else:
                try:
                    target = svc.create_target(current_user, form.year.data, form.amount.amount, form.note.data)
                except DomainError as exc:
                    _form_error(form, exc)
                else:
                    commit()
                    return _done(url_for("targets.target_detail", target_id=target.id), _l("销售目标已建立，请分解到业务员"))
    elif not form.year.data:
        form.year.data = str(today_local().year + (1 if today_local().month >= 11 else 0))
    targets = db.session.scalars(svc.targets_list().options(selectinload(svc.SalesTarget.created_by))).all()
    return render("targets/index.html", "form", form=form, targets=targets)


def _grid(target) -> dict:
    cells = {(ln.rep_id, ln.month): ln.amount for ln in target.lines}
    reps = svc.breakdown_reps()
    known = {r.id for r in reps}
    reps += [ln.rep for ln in target.lines if ln.rep_id not in known and not known.add(ln.rep_id)]
    return {"cells": cells, "reps": reps,
            "rep_totals": {r.id: sum((cells.get((r.id, m), 0) for m in svc.MONTHS), fig.ZERO) for r in reps},
            "month_totals": {m: sum((v for (_, mm), v in cells.items() if mm == m), fig.ZERO) for m in svc.MONTHS}}


@bp.get("/<int:target_id>")
@role_required(*svc.LEADERS)
def target_detail(target_id):
    target = svc.get_target_or_404(current_user, target_id)
    return _target_page(target, AmountForm(amount=target.amount))


def _target_page(target, form, typed: dict | None = None):
    editable = (target.status in EDITABLE and target.created_by_id == current_user.id
                and current_user.role in svc.EDITORS)
    return render("targets/target_detail.html", target=target, form=form, editable=editable, typed=typed or {},
                  req=approvals.request_for(svc.TARGET_TYPE, target.id), amendment=svc.open_amendment(target),
                  difference=svc.breakdown_difference(target), **_grid(target))


@bp.post("/<int:target_id>/breakdown")
@role_required(*svc.EDITORS)
def target_breakdown(target_id):
    target = svc.get_target_or_404(current_user, target_id)
    form = AmountForm()
    url = url_for("targets.target_detail", target_id=target.id)
    if not form.validate_on_submit():
        return _target_page(target, form)
    cells, typed, bad = {}, {}, False
    for key, value in request.form.items():
        m = CELL.match(key)
        if not m or not value.strip():
            continue
        typed[key] = value
        try:
            cells[(int(m.group(1)), int(m.group(2)))] = parse_amount(value, allow_zero=True)
        except ValueError:
            bad = True
    if bad:
        form.form_errors.append(str(_l("分解金额格式不正确，请检查标红以外的数字")))
        return _target_page(target, form, typed)

    def work():
        if form.amount.amount is not None and form.amount.amount != target.amount:
            svc.set_amount(current_user, target, form.amount.amount)
        svc.set_breakdown(current_user, target, cells)

    return _act(url, work, _l("分解已保存"))


@bp.post("/<int:target_id>/submit")
@role_required(*svc.EDITORS)
def target_submit(target_id):
    target = svc.get_target_or_404(current_user, target_id)
    return _act(url_for("targets.target_detail", target_id=target.id),
                lambda: svc.submit_target(current_user, target), _l("已提交总经理审批"))


@bp.post("/<int:target_id>/amend")
@role_required(*svc.EDITORS)
def target_amend(target_id):
    target = svc.get_target_or_404(current_user, target_id)
    try:
        new = svc.amend_target(current_user, target)
    except DomainError as exc:
        db.session.rollback()
        return _done(url_for("targets.target_detail", target_id=target.id), exc.message, "error")
    commit()
    return _done(url_for("targets.target_detail", target_id=new.id), _l("已建立目标变更，批准后替代原目标"))


# ---- plans -----------------------------------------------------------------------------------------

def _plan_form() -> PlanForm:
    form = PlanForm()
    form.month.choices = [("", _l("年度计划"))] + [(m, _l("%(m)d 月", m=m)) for m in svc.MONTHS]
    return form


@bp.get("/plans")
@role_required(*PLAN_ROLES)
def plans():
    stmt = svc.visible_plans(current_user).options(selectinload(svc.SalesPlan.rep), selectinload(svc.SalesPlan.lines))
    stmt = stmt.order_by(svc.SalesPlan.year.desc(), svc.SalesPlan.month.desc(), svc.SalesPlan.id.desc())
    form = _plan_form()
    form.year.data = str(today_local().year)
    return render("targets/plans.html", "list", page=paginate(stmt), form=form)


@bp.post("/plans/new")
@role_required("rep")
def plan_new():
    form = _plan_form()
    if form.validate_on_submit():
        try:
            plan = svc.create_plan(current_user, form.year.data, form.month.data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            commit()
            return _done(url_for("targets.plan_detail", sales_plan_id=plan.id), _l("计划已建立，请填写客户与金额"))
    stmt = svc.visible_plans(current_user).order_by(svc.SalesPlan.id.desc())
    return render("targets/plans.html", "form", page=paginate(stmt), form=form)


def _line_form(plan) -> PlanLineForm:
    form = PlanLineForm()
    form.customer_id.choices = [("", "—")] + [(c.id, c.name) for c in svc.plan_customers(plan.rep)]
    form.product_id.choices = [("", _l("（不限产品）"))] + [
        (p.id, f"{p.name} {p.spec}") for p in db.session.scalars(select(Product).where(Product.active)
                                                                  .order_by(Product.code))]
    return form


def _plan_page(plan, form):
    return render("targets/plan_detail.html", "lines", plan=plan, form=form,
                  editable=plan.status in EDITABLE and plan.rep_id == current_user.id,
                  req=approvals.request_for(svc.PLAN_TYPE, plan.id), amendment=None)


@bp.get("/plans/<int:sales_plan_id>")
@role_required(*PLAN_ROLES)
def plan_detail(sales_plan_id):
    plan = svc.get_plan_or_404(current_user, sales_plan_id)
    return _plan_page(plan, _line_form(plan))


@bp.post("/plans/<int:sales_plan_id>/lines")
@role_required("rep")
def plan_line_add(sales_plan_id):
    plan = svc.get_plan_or_404(current_user, sales_plan_id)
    form = _line_form(plan)
    if form.validate_on_submit():
        quantity = whole_number(form.quantity.data) if (form.quantity.data or "").strip() else 0
        if form.amount.amount is None:
            form.amount.errors = [str(_l("请填写金额"))]
        elif quantity is None:
            form.quantity.errors = [str(_l("数量请填写整数"))]
        else:
            try:
                svc.add_plan_line(current_user, plan, form.customer_id.data, form.product_id.data, quantity,
                                  form.amount.amount, form.note.data)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                commit()
                return _done(url_for("targets.plan_detail", sales_plan_id=plan.id), _l("已添加"))
    return _plan_page(plan, form)


@bp.post("/plans/<int:sales_plan_id>/lines/<int:plan_line_id>/delete")
@role_required("rep")
def plan_line_delete(sales_plan_id, plan_line_id):
    plan = svc.get_plan_or_404(current_user, sales_plan_id)
    line = db.session.get(SalesPlanLine, plan_line_id)
    if line is None or line.plan_id != plan.id:
        abort(404)
    return _act(url_for("targets.plan_detail", sales_plan_id=plan.id), lambda: svc.delete_plan_line(current_user, line),
                _l("已删除"))


@bp.post("/plans/<int:sales_plan_id>/submit")
@role_required("rep")
def plan_submit(sales_plan_id):
    plan = svc.get_plan_or_404(current_user, sales_plan_id)
    return _act(url_for("targets.plan_detail", sales_plan_id=plan.id), lambda: svc.submit_plan(current_user, plan),
                _l("已提交主管审批"))


@bp.post("/plans/<int:sales_plan_id>/amend")
@role_required("rep")
def plan_amend(sales_plan_id):
    plan = svc.get_plan_or_404(current_user, sales_plan_id)
    try:
        new = svc.amend_plan(current_user, plan)
    except DomainError as exc:
        db.session.rollback()
        return _done(url_for("targets.plan_detail", sales_plan_id=plan.id), exc.message, "error")
    commit()
    return _done(url_for("targets.plan_detail", sales_plan_id=new.id), _l("已建立计划变更，批准后替代原计划"))


# ---- figures ------------------------------------------------------------------------------------------

def _day_arg(name: str, default: date) -> date:
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default
    return day if date(2000, 1, 1) <= day <= date(2100, 12, 31) else default


def _month_arg() -> tuple[int, int]:
    m = MONTH_TEXT.match(request.args.get("month", ""))
    if m and 2000 <= int(m.group(1)) <= 2100 and 1 <= int(m.group(2)) <= 12:
        return int(m.group(1)), int(m.group(2))
    today = today_local()
    return today.year, today.month


def _pct(value) -> str:
    return "" if value is None else f"{value}%"


@bp.get("/overview")
@role_required(*fig.VIEWERS)
def overview():
    """销售状况一览表: the month and the year to date, target vs actual per team and rep."""
    year, month = _month_arg()
    data = fig.overview(current_user, year, month, today_local())
    if request.args.get("format") == "xlsx":
        return _overview_workbook(data)
    # The page shows one page of the reps, in the year's ranking (a department has hundreds; rendering
    # them all cost more than reading them); the teams, the totals and the export cover everyone.
    per_page = current_app.config["PAGE_SIZE"]
    number = max(request.args.get("page", 1, type=int) or 1, 1)
    reps = data["reps"]
    rep_page = Page(reps[(number - 1) * per_page:number * per_page], number, per_page, len(reps),
                    len(reps) > number * per_page, False)
    return render("targets/overview.html", "body", data=data, rep_page=rep_page, month=f"{year:04d}-{month:02d}")


def _overview_workbook(data):
    headers = ["类别", "团队", "名称", "本月目标", "本月实际", "本月达成率", "去年同月", "同比增长", "本年目标",
               "本年累计", "本年达成率", "去年同期", "同比增长"]
    rows = []
    for kind, lines in (("团队", data["teams"]), ("业务员", data["reps"])):
        for line in lines:
            m, y = line["month"], line["ytd"]
            rows.append([kind, line.get("team", ""), line["name"], m.target, m.amount, _pct(m.achievement),
                         m.previous, _pct(m.yoy), y.target, y.amount, _pct(y.achievement), y.previous, _pct(y.yoy)])
    rows.append(["统计口径", "", str(fig.basis_label(data["basis"])), "", "", "", "", "", "", "", "", "", ""])
    return send_workbook(workbook(f"销售状况一览表 {data['month_span'].start:%Y-%m}", headers, rows),
                         f"sales-overview-{data['month_span'].start:%Y-%m}.xlsx")


@bp.get("/figures")
@role_required(*fig.VIEWERS)
def figures():
    """The daily, weekly, monthly and year-to-date figures by rep, team, region, product or customer."""
    kind = request.args.get("period") if request.args.get("period") in fig.PERIOD_KINDS else "week"
    by = request.args.get("by") if request.args.get("by") in fig.DIMENSIONS else "rep"
    day = min(_day_arg("date", today_local()), today_local())
    span = fig.period(kind, day)
    rows = fig.figure_rows(current_user, span, by)
    if request.args.get("format") == "xlsx":
        headers = ["排名", "名称", "金额", "数量", "占比", "目标", "达成率", "去年同期", "同比增长", "ABC"]
        data = [[r.rank, r.name, r.amount, r.quantity, _pct(r.share), r.target, _pct(r.achievement), r.previous,
                 _pct(r.yoy), r.abc] for r in rows]
        data.append(["", "统计口径", str(fig.basis_label()), "", "", "", "", "", "", ""])
        return send_workbook(workbook(f"销售统计 {span.start}～{span.end}", headers, data),
                             f"sales-{by}-{span.start}-{span.end}.xlsx")
    return render("targets/figures.html", "body", rows=rows, span=span, kind=kind, by=by, day=day,
                  basis=fig.basis(), total=fig.summary(current_user, span))


@bp.get("/drill")
@role_required(*fig.VIEWERS)
def drill():
    """The orders (or, on the collected basis, the payments) behind a figure, within the reader's scope."""
    today = today_local()
    start = _day_arg("start", today.replace(day=1))
    end = min(_day_arg("end", today), start + timedelta(days=366 * 5))
    span = fig.Period(start, max(start, end))
    ids = fig.drill_ids(current_user, span, request.args.get("rep_id", type=int),
                        request.args.get("customer_id", type=int), request.args.get("product_id", type=int))
    if fig.basis() == "collected":
        stmt = (select(PaymentNotice).where(PaymentNotice.id.in_(ids))
                .options(selectinload(PaymentNotice.customer), selectinload(PaymentNotice.rep))
                .order_by(PaymentNotice.confirmed_on.desc(), PaymentNotice.id.desc()))
    else:
        stmt = (select(Order).where(Order.id.in_(ids)).options(selectinload(Order.customer), selectinload(Order.rep))
                .order_by(Order.id.desc()))
    return render("targets/drill.html", "list", page=paginate(stmt), span=span, basis=fig.basis())
