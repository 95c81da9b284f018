"""The whole return on PostgreSQL: numbers, Money, JSON events, row-locked decisions, register."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import Product, ReturnRequest, User
from intranet.services import approvals, audit
from intranet.services import returns as svc
from intranet.web.formatting import today_local


@pytest.mark.postgres
def test_return_from_filing_to_closing_on_postgresql(pg_app):
    users = {u.username: u for u in db.session.scalars(select(User))}
    product = db.session.scalar(select(Product).where(Product.code == "RO-500"))
    numbers = set(db.session.scalars(select(ReturnRequest.number)))
    doc = svc.create(users["rep4"], {"customer_name": "深圳鹏城水业", "order_ref": "XS-PG-1", "reason": "quality",
                                     "cost_split": "我司承担"}, [svc.LineInput(product.id, 1, Decimal("28600.00"))])
    assert doc.number not in numbers
    svc.save_complaint(users["assistant"], doc, {"product_id": product.id, "defect": "泵体异响",
                                                 "customer_demand": "退货", "proposed_handling": "同意"})
    svc.submit(users["rep4"], doc)
    db.session.commit()
    req = svc.approval_request(doc)
    for name in ("supervisor2", "director", "gm"):
        approvals.decide(users[name], req.id, "approve", "同意")
        db.session.commit()
    assistant = users["assistant"]
    svc.notify_customer(assistant, doc, "已通知")
    svc.record_shipment(assistant, doc, "德邦", "DB9", today_local())
    svc.record_receipt(assistant, doc, {doc.lines[0].id: "1"}, today_local(), "")
    svc.record_refund(users["finance"], doc, "refund", Decimal("28600.00"), today_local(), "V-PG")
    svc.close(assistant, doc)
    db.session.commit()
    db.session.expire_all()
    doc = db.session.get(ReturnRequest, doc.id)
    assert doc.status == "closed" and doc.refund_amount == Decimal("28600.00")
    assert next(e for e in doc.events if e.kind == "refunded").data["refund_kind"] == "refund"
    assert doc.number in {d.number for d in svc.register_rows(users["director"])}
    assert audit.verify() is None
