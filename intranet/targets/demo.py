"""Demo targets and plans: this year's department target broken down to the four reps by month, approved by
the gm; rep1's annual sales plan approved by the supervisor and this month's plan still a draft. Made
through the real services; the approval notices are removed again. Idempotent; dates relative to today."""

from decimal import Decimal

from sqlalchemy import select

from ..clock import today_local
from ..demo import SEED_HOOKS, forget_notices
from ..extensions import db
from ..models import Customer, Product
from ..models.targets import SalesTarget
from ..services import approvals
from ..services import targets as svc

# Monthly target per rep: a quiet Spring Festival month, a stronger second half.
MONTHLY = {1: 60000, 2: 40000, 3: 80000, 4: 90000, 5: 90000, 6: 100000,
           7: 100000, 8: 100000, 9: 110000, 10: 110000, 11: 120000, 12: 130000}
WEIGHT = {"rep1": Decimal("1.2"), "rep2": Decimal("1.0"), "rep3": Decimal("1.1"), "rep4": Decimal("0.9")}


def _approve(actor, doc_type, doc) -> int:
    request = approvals.request_for(doc_type, doc.id)
    approvals.decide(actor, request.id, "approve")
    forget_notices([f"approval:{request.id}:"])
    return request.id


def seed_targets(users) -> int:
    year = today_local().year
    if db.session.scalar(select(SalesTarget.id).where(SalesTarget.year == year).limit(1)):
        return 0
    cells = {(users[name].id, month): (Decimal(amount) * weight).quantize(Decimal("0.01"))
             for name, weight in WEIGHT.items() for month, amount in MONTHLY.items()}
    target = svc.create_target(users["manager"], year, sum(cells.values()), "按各组去年实绩与市场预测分解")
    svc.set_breakdown(users["manager"], target, cells)
    svc.submit_target(users["manager"], target)
    _approve(users["gm"], svc.TARGET_TYPE, target)
    rep1 = users["rep1"]
    customers = list(db.session.scalars(select(Customer).where(Customer.owner_id == rep1.id).order_by(Customer.id)))
    products = {p.code: p for p in db.session.scalars(select(Product))}
    if not customers:
        return 1
    annual = svc.create_plan(rep1, year)
    for n, (code, qty, amount) in enumerate([("RO-500", 12, "343200.00"), ("UF-200", 20, "256000.00"),
                                             ("MEM-4040", 300, "405000.00"), (None, 0, "180000.00")]):
        svc.add_plan_line(rep1, annual, customers[n % len(customers)].id, products[code].id if code else None, qty,
                          Decimal(amount), "续签年度框架协议" if n == 0 else "")
    svc.submit_plan(rep1, annual)
    _approve(users["supervisor1"], svc.PLAN_TYPE, annual)
    monthly = svc.create_plan(rep1, year, today_local().month)
    svc.add_plan_line(rep1, monthly, customers[0].id, products["RO-500"].id, 1, Decimal("28600.00"), "本月交付一台")
    return 3


SEED_HOOKS.append(seed_targets)
