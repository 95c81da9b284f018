"""Period budgets (费用预算): the director sets a month's expense budget for the department, a region or a
person, for one category or all. A claim that would take a budget of its claimant past its amount
(approved, paid and pending claims counted) needs one more approval level, as an over-budget promotion
write-off does; the reason is kept on the added step and shown to the approver.

Actual spend is the spend report's definition (services/expense_reports.py): lines of approved or paid
claims, by the month of the expense, summed in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ..clock import now_utc
from ..extensions import db
from ..models import ExpenseBudget, ExpenseClaim, ExpenseLine, Region, User
from ..models.expenses import APPROVED, CATEGORIES, PAID, PENDING
from ..models.sql import date_month, money_sum
from ..web.formatting import money
from . import approvals, audit, ledger
from .errors import DomainError, Forbidden
from .expenses import CATEGORY_LABELS

SETTERS = ("director",)
READERS = ("supervisor", "manager", "director", "gm", "assistant", "finance")
ALL_SEEING = ("manager", "director", "gm", "assistant", "finance")
ALL = "all"
DEPARTMENT = "department"
SPENT = (APPROVED, PAID)
COMMITTED = (PENDING, APPROVED, PAID)
# The approval levels above a line manager, in order: an over-budget claim needs the next one up.
LEVELS = ("manager", "director", "gm")
LEVEL_NAMES = {"manager": _l("超预算：销售经理审批"), "director": _l("超预算：销售总监审批"),
               "gm": _l("超预算：总经理审批")}
ZERO = Decimal("0.00")


def category_label(category: str) -> str:
    return str(_l("全部类别")) if category == ALL else str(CATEGORY_LABELS.get(category, category))


def scope_label(budget: ExpenseBudget) -> str:
    if budget.user_id:
        return str(_l("个人：%(name)s", name=budget.user.name))
    if budget.region_id:
        return str(_l("区域：%(name)s", name=budget.region.name))
    return str(_l("全部门"))


# ---- who sees what ----------------------------------------------------------------------

def may_read(user: User) -> bool:
    return user.role in READERS


def visible(user: User, period: str):
    """Budgets of the month the user may see: all for leadership, assistant and finance; a supervisor
    their team's people and their own region."""
    if not may_read(user):
        raise Forbidden(_l("无权查看费用预算"))
    stmt = select(ExpenseBudget).where(ExpenseBudget.period == period).order_by(
        ExpenseBudget.scope_key, ExpenseBudget.category)
    if user.role not in ALL_SEEING:
        team = select(User.id).where(User.reports_to_id == user.id)
        region = [ExpenseBudget.region_id == user.region_id] if user.region_id else []
        stmt = stmt.where(or_(ExpenseBudget.user_id.in_(team), *region))
    return stmt


def targets() -> list[tuple[str, str]]:
    """(scope value, label) the director can set a budget for: the department, each region, each person."""
    out = [(DEPARTMENT, str(_l("全部门")))]
    out += [(f"r{r.id}", str(_l("区域：%(name)s", name=r.name)))
            for r in db.session.scalars(select(Region).order_by(Region.name))]
    out += [(f"u{u.id}", str(_l("个人：%(name)s", name=u.name)))
            for u in db.session.scalars(select(User).where(User.active, User.role.in_(("rep", "supervisor")))
                                        .order_by(User.name))]
    return out


# ---- setting ----------------------------------------------------------------------------

def _scope(target: str) -> tuple[int | None, int | None]:
    try:
        if target == DEPARTMENT:
            return None, None
        kind, ident = target[0], int(target[1:])
    except (ValueError, IndexError, TypeError):
        kind, ident = "", 0
    if kind == "r" and db.session.get(Region, ident) is not None:
        return ident, None
    if kind == "u" and ident < 2**31 and db.session.get(User, ident) is not None:
        return None, ident
    raise DomainError(_l("请选择预算范围"), field="target")


def set_budget(actor: User, *, period: str, target: str, category: str, amount: Decimal | None) -> ExpenseBudget:
    """Create or change the budget of (period, scope, category); audited with before and after."""
    if actor.role not in SETTERS:
        raise Forbidden(_l("只有销售总监可以设置费用预算"))
    if ledger.parse_period(period) != (period or "").strip():
        raise DomainError(_l("请填写月份（如 2026-11）"), field="period")
    if category != ALL and category not in CATEGORIES:
        raise DomainError(_l("请选择费用类别"), field="category")
    if amount is None or amount < 0:
        raise DomainError(_l("请填写预算金额"), field="amount")
    region_id, user_id = _scope(target)
    key = f"r{region_id}" if region_id else f"u{user_id}" if user_id else DEPARTMENT
    audit.lock()
    budget = db.session.scalar(select(ExpenseBudget).where(
        ExpenseBudget.period == period, ExpenseBudget.scope_key == key, ExpenseBudget.category == category)
        .with_for_update())
    before = None
    if budget is None:
        budget = ExpenseBudget(period=period, scope_key=key, region_id=region_id, user_id=user_id,
                               category=category)
        db.session.add(budget)
    else:
        before = {"amount": budget.amount}
    budget.amount, budget.updated_by_id, budget.updated_at = ledger.cents(amount), actor.id, now_utc()
    db.session.flush()
    audit.record(actor, "expense_budget.set", budget, before=before, after={
        "period": period, "scope": key, "category": category, "amount": budget.amount})
    return budget


def delete_budget(actor: User, budget_id: int) -> None:
    if actor.role not in SETTERS:
        raise Forbidden(_l("只有销售总监可以设置费用预算"))
    budget = db.session.get(ExpenseBudget, budget_id)
    if budget is None:
        raise DomainError(_l("预算不存在"))
    audit.record(actor, "expense_budget.delete", budget, before={
        "period": budget.period, "scope": budget.scope_key, "category": budget.category, "amount": budget.amount})
    db.session.delete(budget)
    db.session.flush()


# ---- spend against a budget -----------------------------------------------------------------

def _grouped(period: str, statuses, exclude_claim: int | None = None) -> list[tuple[int, int | None, str, Decimal]]:
    """(claimant, claimant's region, category, amount) of the month's claim lines, summed in SQL."""
    first, last = ledger.period_bounds(period)
    month = date_month(ExpenseLine.spent_on)
    stmt = (select(ExpenseClaim.claimant_id, User.region_id, ExpenseLine.category, money_sum(ExpenseLine.amount))
            .join(ExpenseClaim, ExpenseLine.claim_id == ExpenseClaim.id)
            .join(User, ExpenseClaim.claimant_id == User.id)
            .where(ExpenseClaim.status.in_(statuses), ExpenseLine.spent_on >= first, ExpenseLine.spent_on <= last,
                   month == period)
            .group_by(ExpenseClaim.claimant_id, User.region_id, ExpenseLine.category))
    if exclude_claim:
        stmt = stmt.where(ExpenseClaim.id != exclude_claim)
    return list(db.session.execute(stmt))


def _covers(budget: ExpenseBudget, claimant_id: int, region_id: int | None, category: str) -> bool:
    if budget.category != ALL and budget.category != category:
        return False
    if budget.user_id:
        return budget.user_id == claimant_id
    if budget.region_id:
        return budget.region_id == region_id
    return True


def _sum_for(budget: ExpenseBudget, rows) -> Decimal:
    return sum((amount for who, region, category, amount in rows if _covers(budget, who, region, category)), ZERO)


@dataclass
class Row:
    budget: ExpenseBudget
    actual: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget.amount - self.actual

    @property
    def scope(self) -> str:
        return scope_label(self.budget)

    @property
    def category(self) -> str:
        return category_label(self.budget.category)


def budget_vs_actual(user: User, period: str) -> list[Row]:
    """The month's visible budgets with their actual (approved or paid claim lines): two queries."""
    budgets = list(db.session.scalars(visible(user, period)))
    rows = _grouped(period, SPENT) if budgets else []
    return [Row(b, _sum_for(b, rows)) for b in budgets]


def _applicable(claimant: User, periods: set[str]) -> list[ExpenseBudget]:
    keys = [DEPARTMENT, f"u{claimant.id}"] + ([f"r{claimant.region_id}"] if claimant.region_id else [])
    return list(db.session.scalars(select(ExpenseBudget).where(
        ExpenseBudget.period.in_(periods), ExpenseBudget.scope_key.in_(keys))
        .order_by(ExpenseBudget.period, ExpenseBudget.scope_key, ExpenseBudget.category)))


@dataclass
class Standing:
    """A budget of the claimant as a claim sees it: left before the claim (committed spend of other
    claims counted), the claim's share, and whether the claim goes past it."""

    budget: ExpenseBudget
    left: Decimal
    this_claim: Decimal

    @property
    def over(self) -> bool:
        return self.this_claim > 0 and self.this_claim > self.left

    def text(self) -> str:
        label = f"{self.budget.period} {scope_label(self.budget)} {category_label(self.budget.category)}"
        return str(_l("%(label)s：预算剩余 %(left)s（本单 %(claim)s）", label=label, left=money(self.left),
                      claim=money(self.this_claim)))


def standings(claim: ExpenseClaim) -> list[Standing]:
    """Each budget of the claimant for the months of the claim's lines."""
    periods = {f"{ln.spent_on:%Y-%m}" for ln in claim.lines}
    if not periods:
        return []
    claimant = claim.claimant
    budgets = _applicable(claimant, periods)
    committed = {p: _grouped(p, COMMITTED, exclude_claim=claim.id) for p in {b.period for b in budgets}}
    out = []
    for b in budgets:
        own = sum((ln.amount for ln in claim.lines if f"{ln.spent_on:%Y-%m}" == b.period
                   and _covers(b, claimant.id, claimant.region_id, ln.category)), ZERO)
        out.append(Standing(b, b.amount - _sum_for(b, committed[b.period]), own))
    return out


def escalate(request, claim: ExpenseClaim) -> list[Standing]:
    """On submission: if the claim goes past a budget of its claimant, add the next approval level above
    the route's highest (once), with the reason on the step. Returns the budgets it goes past.
    Two claims submitted at once are counted one after the other: the audit chain's lock is taken
    before the spend is read (PostgreSQL, read committed), so the second sees the first as pending."""
    audit.lock()
    over = [s for s in standings(claim) if s.over]
    if not over or any(step.get("budget") for step in request.steps):
        return over
    present = [s.get("role") for s in request.steps if s["approver_kind"] == approvals.ROLE]
    highest = max((LEVELS.index(r) for r in present if r in LEVELS), default=-1)
    if highest + 1 >= len(LEVELS):
        return over  # already at the top: the reason is still shown to the approver
    role = LEVELS[highest + 1]
    step = approvals.step_dict(LEVEL_NAMES[role], approvals.ROLE, role)
    step["budget"] = True
    with force_locale("zh_CN"):  # stored in the company's language, like step names
        step["note"] = "；".join(str(_l("超出预算：%(text)s", text=s.text())) for s in over)
    request.steps = [*request.steps, step]
    db.session.flush()
    return over
