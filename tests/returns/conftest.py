"""Helpers for the returns tests: make a return through the real services, count queries."""

from decimal import Decimal

import pytest
from sqlalchemy import event, select

from intranet.extensions import db
from intranet.models import Product
from intranet.services import approvals
from intranet.services import returns as svc

COMPLAINT = {"batch": "B-01", "defect": "渗漏", "customer_demand": "退货", "proposed_handling": "同意退回检测"}


@pytest.fixture
def product(app):
    return db.session.scalar(select(Product).where(Product.code == "MEM-4040"))


@pytest.fixture
def make_return(app, users, product):
    """make_return("rep1", reason="quality", qty=2, complaint=True, submit=True) → a committed ReturnRequest."""

    def _make(rep="rep1", reason="quality", qty=2, price="1350.00", complaint=True, submit=True, **fields):
        owner = users[rep] if isinstance(rep, str) else rep
        data = {"customer_name": "测试客户有限公司", "order_ref": "XS-TEST-001", "reason": reason,
                "reason_detail": "说明", "cost_split": "运费我司承担",
                "justification": "" if reason == "quality" else "特殊理由", **fields}
        doc = svc.create(owner, data, [svc.LineInput(product.id, qty, Decimal(price))])
        if complaint and reason in ("quality", "wrong_goods", "transit_damage"):
            svc.save_complaint(users["assistant"], doc, {"product_id": product.id, **COMPLAINT})
        if submit:
            svc.submit(owner, doc)
        db.session.commit()
        return doc

    return _make


@pytest.fixture
def sign(users):
    """sign(doc, "supervisor1", "director", "gm") → approve each step in turn (committed)."""

    def _sign(doc, *usernames):
        req = svc.approval_request(doc)
        for name in usernames:
            approvals.decide(users[name], req.id, "approve", "同意")
        db.session.commit()
        return req

    return _sign


@pytest.fixture
def count_queries(app):
    """with count_queries() as n: ... ; n[0] is the number of SQL statements run."""
    from contextlib import contextmanager

    @contextmanager
    def _count():
        counter = [0]

        def before(*args, **kwargs):
            counter[0] += 1

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return _count
