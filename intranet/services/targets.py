"""Sales targets (销售目标) and the reps' sales plans (年度/月销售计划表), signed through the approval engine.

Targets: the director or the manager sets the department's annual amount and breaks it down to the reps
(and so to their teams) by month; the breakdown must add up to the amount before it can be submitted; the
gm approves it and only then does it count (`effective_target`). An approved target is locked: a change
is an amendment, a new version approved again, which supersedes the old one on approval.

Plans: each rep's annual plan and monthly plans (customers, products, amounts), approved by the rep's
supervisor (line manager); amended the same way.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..clock import add_months, now_utc, today_local
from ..extensions import db
from ..models import Customer, Product, User
from ..models.targets import (
    APPROVED,
    EDITABLE,
    OPEN,
    SUPERSEDED,
    SalesPlan,
    SalesPlanLine,
    SalesTarget,
    SalesTargetLine,
)
from . import approvals, audit, notify
from . import customers as customer_rules
from . import sales_figures as figures
from .errors import DomainError, Forbidden

TARGET_TYPE, PLAN_TYPE = "sales_target", "sales_plan"
EDITORS = ("director", "manager")  # set and break down targets
LEADERS = ("manager", "director", "gm", "assistant")  # see every target
STATUS_LABELS = {"draft": _l("草稿"), "submitted": _l("审批中"), "approved": _l("已生效"), "returned": _l("已退回修改"),
                 "rejected": _l("已驳回"), "superseded": _l("已被变更替代")}
MONTHS = tuple(range(1, 13))
MIN_YEAR, MAX_YEAR = 2000, 2100


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError) as exc:
        raise DomainError(_l("年度格式不正确"), field="year") from exc
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(_l("年度格式不正确"), field="year")
    return year


# ---- targets -------------------------------------------------------------------------------

def can_see_targets(user: User) -> bool:
    return user.role in LEADERS


def get_target_or_404(user: User, target_id: int) -> SalesTarget:
    target = db.session.get(SalesTarget, target_id)
    if target is None or not can_see_targets(user):
        abort(404)
    return target


def targets_list():
    return select(SalesTarget).order_by(SalesTarget.year.desc(), SalesTarget.version.desc())


def effective_target(year: int) -> SalesTarget | None:
    """The target that counts for a year: the approved one (never a draft or one under approval)."""
    return db.session.scalar(select(SalesTarget).where(SalesTarget.year == year, SalesTarget.status == APPROVED))


def open_target(year: int) -> SalesTarget | None:
    return db.session.scalar(select(SalesTarget).where(SalesTarget.year == year, SalesTarget.status.in_(OPEN)))


def breakdown_reps() -> list[User]:
    """The reps a target is broken down to: every active rep, by team."""
    return list(db.session.scalars(select(User).where(User.role == "rep", User.active)
                                   .order_by(User.team_id, User.id)))


def create_target(actor: User, year, amount: Decimal, note: str = "") -> SalesTarget:
    if actor.role not in EDITORS:
        raise Forbidden(_l("只有销售总监或销售经理可以制定销售目标"))
    year = _year(year)
    if open_target(year) is not None or effective_target(year) is not None:
        raise DomainError(_l("%(year)d 年已有销售目标；已生效的目标请提交变更", year=year), field="year")
    target = SalesTarget(year=year, amount=amount, note=(note or "").strip(), created_by=actor)
    db.session.add(target)
    db.session.flush()
    audit.record(actor, "sales_target.create", target, after={"year": year, "amount": amount})
    return target


def _check_editable(actor: User, target: SalesTarget) -> None:
    if actor.role not in EDITORS:
        raise Forbidden(_l("只有销售总监或销售经理可以分解销售目标"))
    if target.created_by_id != actor.id:
        raise Forbidden(_l("只能修改自己制定的目标（提交审批的人）"))
    if target.status not in EDITABLE:
        raise DomainError(_l("目标已提交或已生效，不能修改；已生效的目标请提交变更"))


def set_amount(actor: User, target: SalesTarget, amount: Decimal) -> None:
    _check_editable(actor, target)
    before = target.amount
    target.amount = amount
    db.session.flush()
    audit.record(actor, "sales_target.amount", target, before={"amount": before}, after={"amount": amount})


def set_breakdown(actor: User, target: SalesTarget, cells: dict[tuple[int, int], Decimal]) -> None:
    """Replace the breakdown: {(rep_id, month): amount}. Zero cells are dropped."""
    _check_editable(actor, target)
    reps = {u.id: u for u in breakdown_reps()}
    for (rep_id, month), amount in cells.items():
        if rep_id not in reps:
            raise DomainError(_l("只能分解给在职的销售代表"))
        if month not in MONTHS:
            raise DomainError(_l("月份不正确"))
        if amount < 0:
            raise DomainError(_l("目标金额不能为负数"))
    before = _lines_dict(target)
    target.lines.clear()
    db.session.flush()
    for (rep_id, month), amount in sorted(cells.items()):
        if amount > 0:
            target.lines.append(SalesTargetLine(rep_id=rep_id, team_id=reps[rep_id].team_id, month=month,
                                                amount=amount))
    db.session.flush()
    audit.record(actor, "sales_target.breakdown", target, before=before, after=_lines_dict(target))


def _lines_dict(target: SalesTarget) -> dict:
    return {f"{ln.rep_id}-{ln.month}": f"{ln.amount:.2f}" for ln in target.lines}


def breakdown_difference(target: SalesTarget) -> Decimal:
    """Department target minus the sum of its breakdown (positive: still to allocate)."""
    return target.amount - target.allocated


def check_breakdown(target: SalesTarget) -> None:
    difference = breakdown_difference(target)
    if difference:
        raise DomainError(_l("分解合计 %(allocated)s 与部门目标 %(amount)s 不一致，相差 %(diff)s",
                             allocated=f"{target.allocated:,.2f}", amount=f"{target.amount:,.2f}",
                             diff=f"{difference:,.2f}"), field="breakdown")


def submit_target(actor: User, target: SalesTarget):
    _check_editable(actor, target)
    check_breakdown(target)
    return approvals.submit(actor, TARGET_TYPE, target)


def amend_target(actor: User, target: SalesTarget) -> SalesTarget:
    """A new version of the effective target with its breakdown copied; it replaces the old one when approved."""
    if actor.role not in EDITORS:
        raise Forbidden(_l("只有销售总监或销售经理可以变更销售目标"))
    if target.status != APPROVED:
        raise DomainError(_l("只有已生效的目标可以变更"))
    pending = db.session.scalar(select(SalesTarget).where(SalesTarget.amends_id == target.id,
                                                          SalesTarget.status.in_(OPEN)))
    if pending is not None:
        return pending
    new = SalesTarget(year=target.year, amount=target.amount, note=target.note, version=target.version + 1,
                      amends=target, created_by=actor)
    for ln in target.lines:
        new.lines.append(SalesTargetLine(rep_id=ln.rep_id, team_id=ln.team_id, month=ln.month, amount=ln.amount))
    db.session.add(new)
    db.session.flush()
    audit.record(actor, "sales_target.amend", new, after={"amends": target.id, "version": new.version})
    return new


def open_amendment(target: SalesTarget) -> SalesTarget | None:
    return db.session.scalar(select(SalesTarget).where(SalesTarget.amends_id == target.id,
                                                       SalesTarget.status.in_(OPEN)))


def _supersede(doc, actor: User, kind: str) -> None:
    old = doc.amends
    if old is not None and old.status == APPROVED:
        old.status = SUPERSEDED
        audit.record(actor, f"{kind}.superseded", old, before={"status": APPROVED},
                     after={"status": SUPERSEDED, "by": doc.id})


def _set_status(kind: str):
    def change(doc, actor: User, status: str) -> None:
        before = doc.status
        doc.status = status
        if status == "submitted":
            doc.submitted_at = now_utc()
        if status == APPROVED:
            doc.approved_at = now_utc()
            _supersede(doc, actor, kind)
        audit.record(actor, f"{kind}.{status}", doc, before={"status": before}, after={"status": status})

    return change


def _target_title(target: SalesTarget) -> str:
    suffix = str(_l("（变更 v%(v)d）", v=target.version)) if target.version > 1 else ""
    return f"{_l('销售目标')} {target.year}{suffix}"


MIRRORED = {"submitted": "submitted", "approved": APPROVED, "rejected": "rejected", "returned": "returned",
            "withdrawn": "draft"}

approvals.register(approvals.ModelAdapter(
    TARGET_TYPE, _l("销售目标"), default_steps=[approvals.step_dict(_l("总经理审批"), role="gm")],
    model=SalesTarget, owner_attr="created_by", amount_attr="amount", title_of=_target_title,
    endpoint="targets.target_detail", id_arg="target_id",
    summary_of=lambda d: [(_l("年度"), d.year), (_l("部门目标"), d.amount), (_l("分解合计"), d.allocated)],
    statuses=MIRRORED, on_status=_set_status("sales_target")))


# ---- rep sales plans ------------------------------------------------------------------------

def visible_plans(user: User):
    return select(SalesPlan).where(customer_rules.rep_scope(user, SalesPlan.rep_id))


def get_plan_or_404(user: User, plan_id: int) -> SalesPlan:
    plan = db.session.get(SalesPlan, plan_id)
    if plan is None or not customer_rules.can_see_rep(user, plan.rep_id):
        abort(404)
    return plan


def _open_plan(rep_id: int, year: int, month: int | None) -> SalesPlan | None:
    month_is = SalesPlan.month.is_(None) if month is None else SalesPlan.month == month
    return db.session.scalar(select(SalesPlan).where(
        SalesPlan.rep_id == rep_id, SalesPlan.year == year, month_is,
        SalesPlan.status.in_((*OPEN, APPROVED))).order_by(SalesPlan.version.desc()))


def create_plan(actor: User, year, month=None) -> SalesPlan:
    if actor.role != "rep":
        raise Forbidden(_l("只有销售代表填写销售计划"))
    year = _year(year)
    if month in ("", None):
        month = None
    else:
        try:
            month = int(month)
        except (TypeError, ValueError) as exc:
            raise DomainError(_l("月份不正确"), field="month") from exc
        if month not in MONTHS:
            raise DomainError(_l("月份不正确"), field="month")
    if _open_plan(actor.id, year, month) is not None:
        raise DomainError(_l("该期间已有销售计划；已批准的计划请提交变更"), field="month")
    plan = SalesPlan(rep=actor, year=year, month=month)
    db.session.add(plan)
    db.session.flush()
    audit.record(actor, "sales_plan.create", plan, after={"period": plan.period})
    return plan


def _check_plan_editable(actor: User, plan: SalesPlan) -> None:
    if plan.rep_id != actor.id:
        raise Forbidden(_l("只能修改自己的销售计划"))
    if plan.status not in EDITABLE:
        raise DomainError(_l("计划已提交或已批准，不能修改；已批准的计划请提交变更"))


def plan_customers(rep: User) -> list[Customer]:
    return list(db.session.scalars(customer_rules.visible_query(rep).order_by(Customer.name)))


def add_plan_line(actor: User, plan: SalesPlan, customer_id, product_id, quantity: int, amount: Decimal,
                  note: str = "") -> SalesPlanLine:
    _check_plan_editable(actor, plan)
    customer = db.session.get(Customer, customer_id) if customer_id else None
    if customer is None or customer.owner_id != plan.rep_id:
        raise DomainError(_l("请选择您负责的客户"), field="customer_id")
    product = db.session.get(Product, product_id) if product_id else None
    if product_id and product is None:
        raise DomainError(_l("产品不存在"), field="product_id")
    if quantity is None or quantity < 0:
        raise DomainError(_l("数量不正确"), field="quantity")
    line = SalesPlanLine(customer=customer, product=product, quantity=quantity, amount=amount,
                         note=(note or "").strip())
    plan.lines.append(line)
    db.session.flush()
    audit.record(actor, "sales_plan.line.add", plan, after={"customer": customer.name, "amount": amount,
                                                             "product": product.code if product else ""})
    return line


def delete_plan_line(actor: User, line: SalesPlanLine) -> None:
    plan = line.plan
    _check_plan_editable(actor, plan)
    audit.record(actor, "sales_plan.line.delete", plan, before={"customer": line.customer.name,
                                                                 "amount": line.amount})
    plan.lines.remove(line)
    db.session.flush()


def submit_plan(actor: User, plan: SalesPlan):
    _check_plan_editable(actor, plan)
    if not plan.lines:
        raise DomainError(_l("计划中至少需要一行"))
    return approvals.submit(actor, PLAN_TYPE, plan)


def amend_plan(actor: User, plan: SalesPlan) -> SalesPlan:
    if plan.rep_id != actor.id:
        raise Forbidden(_l("只能变更自己的销售计划"))
    if plan.status != APPROVED:
        raise DomainError(_l("只有已批准的计划可以变更"))
    pending = db.session.scalar(select(SalesPlan).where(SalesPlan.amends_id == plan.id,
                                                        SalesPlan.status.in_(OPEN)))
    if pending is not None:
        return pending
    new = SalesPlan(rep=actor, year=plan.year, month=plan.month, version=plan.version + 1, amends=plan)
    for ln in plan.lines:
        new.lines.append(SalesPlanLine(customer_id=ln.customer_id, product_id=ln.product_id, quantity=ln.quantity,
                                       amount=ln.amount, note=ln.note))
    db.session.add(new)
    db.session.flush()
    audit.record(actor, "sales_plan.amend", new, after={"amends": plan.id, "version": new.version})
    return new


def _plan_title(plan: SalesPlan) -> str:
    kind = _l("年度销售计划") if plan.month is None else _l("月销售计划")
    suffix = str(_l("（变更 v%(v)d）", v=plan.version)) if plan.version > 1 else ""
    return f"{kind} {plan.period} · {plan.rep.name}{suffix}"


approvals.register(approvals.ModelAdapter(
    PLAN_TYPE, _l("销售计划"), default_steps=[approvals.step_dict(_l("直属主管审核"), "line_manager")],
    model=SalesPlan, owner_attr="rep", title_of=_plan_title, endpoint="targets.plan_detail", id_arg="sales_plan_id",
    summary_of=lambda d: [(_l("期间"), d.period), (_l("客户行数"), len(d.lines)), (_l("计划金额合计"), d.total)],
    statuses=MIRRORED, on_status=_set_status("sales_plan")))


# ---- two months in a row below target (seed 004) ---------------------------------------------------

def _monthly_standing(months: list[str]) -> dict[str, dict[int, bool]]:
    """{"YYYY-MM": {rep_id: below target}} for reps with a target that month (4 queries for 2 years)."""
    years = sorted({int(m[:4]) for m in months})
    actual = {y: figures.monthly(figures.SYSTEM, y, "rep") for y in years}
    goal = {y: figures.monthly_targets(figures.SYSTEM, y, "rep") for y in years}
    out: dict[str, dict[int, bool]] = {}
    for month in months:
        year, number = int(month[:4]), int(month[5:]) - 1
        out[month] = {rep_id: actual[year].get(rep_id, [figures.ZERO] * 12)[number] < row[number]
                      for rep_id, row in goal[year].items() if row[number] > 0}
    return out


def flag_below_target(today: date | None = None) -> int:
    """Reps below their target in the last two completed months are flagged to the sales manager(s): a to-do
    and an email, once per occasion — a run of months below target is one occasion, keyed by its first
    month, so a third month below adds nothing and a new run after a good month is a new occasion."""
    today = today or today_local()
    last = add_months(f"{today:%Y-%m}", -1)
    months = [add_months(last, -i) for i in range(12, -1, -1)]  # 13 months back to `last`
    standing = _monthly_standing(months)
    managers = list(db.session.scalars(select(User).where(User.role == "manager", User.active)))
    sent = 0
    for rep_id, below in standing[last].items():
        previous = add_months(last, -1)
        if not below or not standing[previous].get(rep_id):
            continue
        start = previous
        while standing.get(add_months(start, -1), {}).get(rep_id):
            start = add_months(start, -1)
        rep = db.session.get(User, rep_id)
        text = str(_l("%(name)s 连续两个月未完成销售目标（%(start)s 起至 %(last)s）", name=rep.name, start=start,
                      last=last))
        for manager in managers:
            if notify.todo(f"sales-below:{rep_id}:{start}:{manager.id}", manager, text,
                           link=_overview_link(last)) is not None:
                notify.email(f"sales-below:{rep_id}:{start}:{manager.id}", manager.email, text, text)
                sent += 1
    return sent


def _overview_link(month: str) -> str:
    from .links import link

    try:
        return link("targets.overview", month=month)
    except RuntimeError:
        return ""
