"""Helpers for the samples tests: an item with checked stock and approved requests, made through the
real services (the approval engine included)."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import Customer
from intranet.services import approvals
from intranet.services import samples as svc


def stocked_item(users, code="T-CY", quantity=100, cost="2.00", low=10):
    """An item with `quantity` received by the assistant and checked by the manager (committed)."""
    item = svc.save_item(users["assistant"], None, {"code": code, "name": f"测试彩页{code}", "category": "brochure",
                                                    "unit": "份", "unit_cost": Decimal(cost), "low_stock": str(low),
                                                    "active": True})
    if quantity:
        svc.check(users["manager"], svc.record_receipt(users["assistant"], item, str(quantity)))
    db.session.commit()
    return item


def approved_request(users, rep="rep1", lines=(), purpose="拜访送资料"):
    """lines: [(item, qty)] → a request approved by every step of its route (committed)."""
    owner = users[rep]
    customer = db.session.scalar(select(Customer).where(Customer.owner_id == owner.id).order_by(Customer.id))
    doc = svc.create_request(owner, {"customer_id": customer.id, "purpose": purpose},
                             [svc.LineInput(item.id, str(qty), row=i) for i, (item, qty) in enumerate(lines)])
    svc.submit(owner, doc)
    req = svc.approval_request(doc)
    while req.status == "pending":
        approvals.decide(approvals.step_deciders(req, req.step)[0], req.id, "approve", "同意")
    db.session.commit()
    return doc


@pytest.fixture(name="item")
def item_fixture(app, users):
    """A brochure with 100 in stock (import it into a test module to use it)."""
    return stocked_item(users)
