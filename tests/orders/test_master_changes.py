"""Acceptance 3: a rep's change of the credit limit or the invoicing details takes no effect until the
director (credit) or a second person (invoicing details) confirms it; a refusal changes nothing."""

from decimal import Decimal

import pytest
from order_helpers import customer_of

from intranet.extensions import db
from intranet.services import approvals, customer_changes
from intranet.services import customers as customer_svc
from intranet.services.errors import Forbidden


def _req(change):
    return approvals.request_for(customer_changes.DOC_TYPE, change.id)


def test_a_reps_credit_limit_waits_for_the_director(app, users):
    c = customer_of(users, "rep1")
    old = c.credit_limit
    customer_svc.update(users["rep1"], c, credit_limit=Decimal("999999.00"), notes="年底冲量")
    db.session.commit()
    assert c.credit_limit == old and c.notes == "年底冲量"  # the rest applies at once
    (change,) = customer_changes.pending(c)
    req = _req(change)
    assert [s["role"] for s in req.steps] == ["director"]
    with pytest.raises(Forbidden):
        approvals.decide(users["manager"], req.id, "approve", "同意")
    db.session.rollback()
    approvals.decide(users["director"], req.id, "approve", "核定")
    db.session.commit()
    assert c.credit_limit == Decimal("999999.00") and change.status == "applied"


def test_invoicing_details_need_a_second_person_and_a_refusal_changes_nothing(app, users):
    c = customer_of(users, "rep1")
    customer_svc.update(users["rep1"], c, tax_id="91310000TEST0001", bank="建设银行", account="6222")
    db.session.commit()
    assert c.tax_id != "91310000TEST0001"
    (change,) = customer_changes.pending(c)
    req = _req(change)
    approvals.decide(users["manager"], req.id, "reject", "税号与营业执照不符")
    db.session.commit()
    assert c.tax_id != "91310000TEST0001" and change.status == "refused"
    customer_svc.update(users["rep1"], c, tax_id="91310000TEST0002")
    (second,) = customer_changes.pending(c)
    approvals.decide(users["manager"], _req(second).id, "approve", "已核对")
    db.session.commit()
    assert c.tax_id == "91310000TEST0002"


def test_the_requester_never_confirms_their_own_change(app, users):
    c = customer_of(users, "rep1")
    customer_svc.update(users["manager"], c, bank="农业银行")
    (change,) = customer_changes.pending(c)
    with pytest.raises(Forbidden):
        approvals.decide(users["manager"], _req(change).id, "approve", "自己批")


def _product(code="SOFT-2"):
    from sqlalchemy import select

    from intranet.models import Product

    return db.session.scalar(select(Product).where(Product.code == code))


def _save(actor, p, price, name=None):
    from intranet.services import catalog

    return catalog.save_product(actor, p, code=p.code, name=name or p.name, spec=p.spec, unit=p.unit,
                                list_price=Decimal(price), active=p.active)


def test_a_list_price_takes_effect_only_after_a_second_person(app, users):
    p = _product()
    old = p.list_price
    _save(users["assistant"], p, "1.00", name="改名立即生效")
    db.session.commit()
    assert p.list_price == old and p.name == "改名立即生效"  # the rest applies at once
    (change,) = customer_changes.pending_prices(p)
    req = _req(change)
    assert [s["role"] for s in req.steps] == ["manager"]
    approvals.decide(users["manager"], req.id, "reject", "价格有误")
    db.session.commit()
    assert p.list_price == old and change.status == "refused"
    _save(users["manager"], p, "8888.00")
    db.session.commit()
    (second,) = customer_changes.pending_prices(p)
    with pytest.raises(Forbidden):
        approvals.decide(users["manager"], _req(second).id, "approve", "自己批")
    db.session.rollback()
    assert p.list_price == old
    decider = next(u for u in approvals.step_deciders(_req(second), _req(second).steps[0]) if u.id != users["manager"].id)
    approvals.decide(decider, _req(second).id, "approve", "核对无误")
    db.session.commit()
    assert p.list_price == Decimal("8888.00") and second.status == "applied"


def test_an_unchanged_price_files_nothing(app, users):
    p = _product()
    _save(users["assistant"], p, str(p.list_price))
    assert customer_changes.pending_prices(p) == []
