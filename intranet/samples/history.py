"""Demo history: the reps' sample and material requests (领用申请) of the past quarter — brochures, cards,
samples and gifts for their customers, each approved by the supervisor, issued by the assistant and
checked by the manager, with the printer's and warehouse's deliveries received before. Made through the
real services and the approval engine, then the stages moved to office hours on the working days they
happened and the documents numbered in their own month (LY-202609-0001). Idempotent (by any request of
a past month)."""

import random
from datetime import timedelta

from sqlalchemy import select

from ..clock import local_instant, month_of, today_local
from ..demo import forget_notices, next_working_day, spread, working_days
from ..extensions import db
from ..models import ApprovalRequest, Customer
from ..models.samples import SampleItem, SampleRequest, StockDoc, StockMovement
from ..services import approvals, numbering
from ..services import samples as svc

REQUESTS = 28
REPS = ("rep1", "rep2", "rep3", "rep4")
KITS = [([("CY-RO-2026", 30), ("MP-BOX", 1)], "拜访客户技术部，介绍 RO 设备"),
        ([("CY-UF-2026", 20), ("LP-CUP", 2)], "客户展会资料与礼品"),
        ([("YP-MEM-4040", 1), ("CY-RO-2026", 10)], "客户试用膜元件样品"),
        ([("YP-PP-20", 4)], "老客户滤芯试用"),
        ([("CY-RO-2026", 50)], "经销商门店陈列彩页"),
        ([("LP-CUP", 4), ("MP-BOX", 1)], "年底客户回访礼品")]


def _at(day, hour, minute=0):
    return local_instant(day, hour, minute)


def _numbered(prefix: str, model, day) -> str:
    """A number in the month the document happened (the service numbers in today's month)."""
    return numbering.monthly(prefix, model, month_of(day))


def _restock(users, items, lines, day) -> None:
    """What the kit needs, received from the printer or the warehouse and checked the day before."""
    before = day - timedelta(days=1)
    for code, qty in lines:
        doc = svc.record_receipt(users["assistant"], items[code], qty, batch=f"{before:%Y%m}", note="印刷厂/仓库入库")
        svc.check(users["manager"], doc)
        _move_doc(doc, before)


def _move_doc(doc: StockDoc, day) -> None:
    doc.number = _numbered(svc.PREFIX[doc.kind], StockDoc, day)
    doc.prepared_at, doc.checked_at, doc.month = _at(day, 14), _at(day, 15, 30), month_of(day)
    for movement in db.session.scalars(select(StockMovement).where(StockMovement.doc_id == doc.id)):
        movement.at = doc.checked_at


def _one(users, items, rep, customer, kit, day) -> None:
    lines, purpose = kit
    _restock(users, items, lines, day)
    doc = svc.create_request(rep, {"customer_id": customer.id, "purpose": purpose},
                             [svc.LineInput(items[code].id, str(qty), row=i) for i, (code, qty) in enumerate(lines)])
    svc.submit(rep, doc)
    req = svc.approval_request(doc)
    while req.status == "pending":
        approvals.decide(approvals.step_deciders(req, req.step)[0], req.id, "approve", "同意")
    issued = svc.issue(users["assistant"], doc, {ln.id: str(ln.quantity) for ln in doc.lines})
    svc.check(users["manager"], issued)
    decided = next_working_day(day)
    doc.number, doc.month = _numbered("LY", SampleRequest, day), month_of(day)
    doc.created_at, doc.submitted_at, doc.approved_at = _at(day, 9, 30), _at(day, 9, 45), _at(decided, 10, 20)
    req.submitted_at, req.finished_at = doc.submitted_at, doc.approved_at
    req.title = svc.ADAPTER.title(doc)  # the title carries the number
    for i, decision in enumerate(req.decisions):
        decision.at = _at(decided, 10, 5 + 15 * i)
        req.step_started_at = decision.at
    _move_doc(issued, next_working_day(decided))


def seed_history_samples(users) -> int:
    first_of_month = today_local().replace(day=1)
    if db.session.scalar(select(SampleRequest.id).where(SampleRequest.created_at < _at(first_of_month, 0))
                         .limit(1)) is not None:
        return 0
    items = {i.code: i for i in db.session.scalars(select(SampleItem))}
    if any(code not in items for kit, _ in KITS for code, _qty in kit):
        return 0
    rnd, made = random.Random(7), 0
    days = spread(working_days(today_local() - timedelta(days=92), today_local() - timedelta(days=8)), REQUESTS)
    for n, day in enumerate(days):
        rep = users[REPS[n % len(REPS)]]
        customers = list(db.session.scalars(select(Customer).where(Customer.owner_id == rep.id)
                                            .order_by(Customer.id).limit(8)))
        if not customers:
            continue
        _one(users, items, rep, rnd.choice(customers), KITS[n % len(KITS)], day)
        made += 1
    db.session.flush()
    ids = db.session.scalars(select(ApprovalRequest.id).where(ApprovalRequest.doc_type == svc.DOC_TYPE))
    forget_notices(["sample-", *(f"approval:{i}:" for i in ids)])
    return made


__all__ = ["seed_history_samples"]
