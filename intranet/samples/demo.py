"""Demo store: brochures, business cards, samples and gifts received and checked; rep1's request for
a customer issued in part (the rest waiting on the assistant's desk), rep3's request issued and
mailed by courier (sent a week ago, not yet confirmed: the assistant's reminder), and an earlier
mailing received and verified. Made through the real services; the to-dos and emails that sends
are removed again, so seeding mails nobody. Idempotent (by the first item's code). Dates are
relative to today, so the demo works on any day."""

from datetime import timedelta
from decimal import Decimal

from flask import g
from sqlalchemy import delete, or_, select

from ..clock import today_local
from ..demo import SEED_HOOKS
from ..extensions import db
from ..models import Customer, Email, Todo
from ..models.samples import SampleItem
from ..services import approvals, mailings
from ..services import samples as svc

ITEMS = [
    # code, name, category, spec, unit, location, cost, low, received
    ("CY-RO-2026", "反渗透设备彩页", "brochure", "A4 四折页 2026 版", "份", "A-01", "1.80", 100, 500),
    ("CY-UF-2026", "超滤机组彩页", "brochure", "A4 双折页", "份", "A-02", "1.50", 100, 120),
    ("MP-BOX", "名片（盒）", "card", "100 张/盒", "盒", "A-05", "25.00", 5, 20),
    ("YP-MEM-4040", "膜元件样品", "sample", "4040 剖切样", "支", "B-01", "260.00", 2, 6),
    ("YP-PP-20", "PP 棉滤芯样品", "sample", "20英寸 5μm", "支", "B-02", "9.50", 10, 8),
    ("LP-CUP", "定制保温杯", "gift", "500ml 印公司标", "个", "C-01", "38.00", 10, 40),
]


def seed_samples(users: dict) -> int:
    if db.session.scalar(select(SampleItem.id).where(SampleItem.code == ITEMS[0][0])):
        return 0
    assistant, manager = users["assistant"], users["manager"]
    items = {}
    for code, name, category, spec, unit, location, cost, low, received in ITEMS:
        item = svc.save_item(assistant, None, {"code": code, "name": name, "category": category, "spec": spec,
                                               "unit": unit, "location": location, "unit_cost": Decimal(cost),
                                               "low_stock": str(low), "batch": "", "active": True})
        doc = svc.record_receipt(assistant, item, received, batch=f"{today_local():%Y%m}", note="印刷厂/仓库入库")
        svc.check(manager, doc)
        items[code] = item
    _issued_in_part(users, items)
    _mailed(users, items)
    _forget_notices()
    return len(ITEMS)


def _customer(rep) -> Customer | None:
    return db.session.scalar(select(Customer).where(Customer.owner_id == rep.id).order_by(Customer.id))


def _approved(rep, items, lines, purpose):
    customer = _customer(rep)
    doc = svc.create_request(rep, {"customer_id": customer.id if customer else None, "purpose": purpose},
                             [svc.LineInput(items[code].id, str(qty), row=i) for i, (code, qty) in enumerate(lines)])
    svc.submit(rep, doc)
    req = svc.approval_request(doc)
    while req.status == "pending":
        approvals.decide(approvals.step_deciders(req, req.step)[0], req.id, "approve", "同意")
    return doc


def _issued_in_part(users, items) -> None:
    doc = _approved(users["rep1"], items, [("CY-RO-2026", 50), ("YP-MEM-4040", 2)], "拜访客户技术部，介绍 RO 设备")
    first = doc.lines[0]
    stock_doc = svc.issue(users["assistant"], doc, {first.id: "30"}, "先发 30 份彩页")
    svc.check(users["manager"], stock_doc)


def _mailed(users, items) -> None:
    assistant = users["assistant"]
    doc = _approved(users["rep3"], items, [("CY-UF-2026", 20), ("LP-CUP", 2)], "客户展会资料")
    stock_doc = svc.issue(assistant, doc, {ln.id: str(ln.quantity) for ln in doc.lines})
    svc.check(users["manager"], stock_doc)
    today = today_local()
    customer = _customer(users["rep3"]) or _customer(users["rep1"])
    base = {"request_id": doc.id if doc.customer_id else None, "customer_id": customer.id, "method": "courier",
            "carrier": "顺丰速运", "recipient": "采购部 李工", "phone": "020-8888 6666",
            "address": "广州市天河区黄埔大道 100 号", "cost": Decimal("23.00")}
    mailings.register(assistant, {**base, "contents": "超滤机组彩页×20、定制保温杯×2", "tracking_no": "SF1409876543210",
                                  "sent_on": today - timedelta(days=7)})
    rep1_customer = _customer(users["rep1"]) or customer
    earlier = mailings.register(assistant, {**base, "request_id": None, "customer_id": rep1_customer.id,
                                            "contents": "产品目录、报价单", "address": "杭州市西湖区文三路 90 号",
                                            "tracking_no": "SF1401234567890", "sent_on": today - timedelta(days=12)})
    mailings.mark_received(assistant, earlier, today - timedelta(days=10))
    mailings.confirm(assistant, earlier, today - timedelta(days=9))


def _forget_notices() -> None:
    """The demo's to-dos and emails were never real occasions: remove them (and never enqueue them)."""
    prefixes = ["sample-", "approval:"]
    sample_types = select(Email.id).where(or_(*[Email.key.startswith(p) for p in prefixes[:1]]))
    ids = set(db.session.scalars(sample_types))
    approval_keys = _approval_prefixes()
    if approval_keys:
        ids |= set(db.session.scalars(select(Email.id).where(or_(*[Email.key.startswith(p) for p in approval_keys]))))
    match_email = Email.id.in_(ids)
    db.session.execute(delete(Email).where(match_email))
    db.session.execute(delete(Todo).where(or_(*[Todo.key.startswith(p) for p in [prefixes[0], *approval_keys]])))
    pending = g.get("emails_to_enqueue")
    if pending:
        pending[:] = [i for i in pending if i not in ids]


def _approval_prefixes() -> list[str]:
    from ..models import ApprovalRequest

    ids = db.session.scalars(select(ApprovalRequest.id).where(ApprovalRequest.doc_type == svc.DOC_TYPE))
    return [f"approval:{i}:" for i in ids]


SEED_HOOKS.append(seed_samples)
