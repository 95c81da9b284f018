"""Payment-terms rules (付款条件规则, issue 19): the proposal by customer class and amount (thresholds,
the all-classes fallback, inactive rules ignored, Decimal amounts), the text it writes, the blank payment
terms of a new, edited or converted contract filled from it (typed ones kept), and the settings page:
the manager and director only, bad input answered next to its field with nothing written, audited."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import AuditEntry, Product
from intranet.models.contracts import Contract, PaymentTermRule
from intranet.models.customers import Customer
from intranet.services import approvals
from intranet.services import contracts as svc
from intranet.services import payment_terms as rules
from intranet.services.errors import DomainError, Forbidden


def _customer(user, kind="distributor"):
    customer = db.session.scalar(select(Customer).where(Customer.owner_id == user.id).order_by(Customer.id))
    customer.kind = kind
    db.session.commit()
    return customer


def _rule(manager, kind="", min_amount="0", deposit="30", balance="after_acceptance", days="30", **extra):
    return rules.create(manager, {"customer_kind": kind, "min_amount": min_amount, "deposit_percent": deposit,
                                  "balance_rule": balance, "balance_days": days, **extra})


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _line(price="5000.00", qty=2):
    product = db.session.scalar(select(Product).where(Product.active).order_by(Product.id))
    return [svc.LineInput(product.id, qty, Decimal(price))]


# ---- the proposal -----------------------------------------------------------------------------------

def test_proposal_takes_the_highest_threshold_of_the_class_not_above_the_amount(app, users):
    m = users["manager"]
    base = _rule(m, "distributor", "0", "30")
    big = _rule(m, "distributor", "100000.00", "20", days="60")
    _rule(m, "end_user", "50000", "50")
    customer = _customer(users["rep1"], "distributor")
    assert rules.proposal(customer, Decimal("99999.99")) is base
    assert rules.proposal(customer, Decimal("100000.00")) is big  # the threshold is included
    assert rules.proposal(customer, Decimal("100000.01")) is big
    assert rules.proposal(customer, Decimal("0.00")) is base


def test_other_classes_rules_and_inactive_ones_are_not_proposed(app, users):
    m = users["manager"]
    _rule(m, "end_user", "0", "50")
    stopped = _rule(m, "distributor", "0", "10")
    rules.deactivate(m, stopped)
    customer = _customer(users["rep1"], "distributor")
    assert rules.proposal(customer, Decimal("1000")) is None
    everyone = _rule(m, "", "0", "0", balance="monthly", days="30")
    assert rules.proposal(customer, Decimal("1000")) is everyone  # the all-classes fallback
    own = _rule(m, "distributor", "500", "10")
    assert rules.proposal(customer, Decimal("1000")) is own  # the class's own rule wins over the fallback
    assert rules.proposal(customer, Decimal("499.99")) is everyone  # below the class's threshold: the fallback
    assert rules.proposal(None, Decimal("1000")) is None


def test_rule_text(app, users):
    m = users["manager"]
    assert rules.text(_rule(m, "distributor", "0", "30", days="30")) == "签订时付 30% 定金，验收合格后 30 天内付清余款"
    assert rules.text(_rule(m, "agent", "0", "0", balance="before_shipment", days="15")) == "发货前付清全部货款（款到发货）"
    assert rules.text(_rule(m, "end_user", "0", "12.5", balance="after_delivery", days="0")) == \
        "签订时付 12.5% 定金，货到即付清余款"
    assert rules.text(_rule(m, "commercial", "0", "100", note="含税价")) == "签订时付清全部货款；含税价"
    assert rules.text(_rule(m, "", "0", "0", balance="monthly", days="60")) == "全部货款月结 60 天"


def test_amounts_are_decimal_and_full_width_input_is_read(app, users):
    rule = _rule(users["manager"], "distributor", "１００，０００．５", "３０％")
    db.session.commit()
    db.session.expire_all()
    assert rule.min_amount == Decimal("100000.50") and isinstance(rule.min_amount, Decimal)
    assert rule.deposit_percent == Decimal("30.00") and isinstance(rule.deposit_percent, Decimal)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("deposit_percent", "100.5", "定金比例应在 0 到 100 之间"),
    ("deposit_percent", "-1", "不能为负数"),
    ("deposit_percent", "30.125", "最多两位小数"),
    ("min_amount", "abc", "请填写有效的数字"),
    ("min_amount", "NaN", "请填写有效的数字"),
    ("balance_days", "366", "天数请填写 0 到 365 的整数"),
    ("balance_days", "2.5", "天数请填写 0 到 365 的整数"),
    ("balance_rule", "whenever", "请选择余款支付方式"),
    ("customer_kind", "vip", "请选择客户类别"),
])
def test_bad_rule_input_is_refused_next_to_its_field(app, users, field, value, message):
    fields = {"customer_kind": "distributor", "min_amount": "0", "deposit_percent": "30",
              "balance_rule": "after_acceptance", "balance_days": "30", field: value}
    with pytest.raises(DomainError) as caught:
        rules.create(users["manager"], fields)
    assert str(caught.value.errors[field]) == message
    db.session.rollback()
    assert _count(PaymentTermRule) == 0


def test_two_active_rules_of_one_class_never_share_a_threshold(app, users):
    m = users["manager"]
    first = _rule(m, "distributor", "1000")
    with pytest.raises(DomainError) as caught:
        _rule(m, "distributor", "1000.00", "50")
    assert caught.value.field == "min_amount"
    _rule(m, "agent", "1000")  # another class: fine
    rules.deactivate(m, first)
    _rule(m, "distributor", "1000", "50")  # the stopped one no longer counts


def test_only_the_manager_and_director_keep_the_rules_and_each_change_is_audited(app, users):
    with pytest.raises(Forbidden):
        _rule(users["rep1"])
    with pytest.raises(Forbidden):
        _rule(users["assistant"])
    rule = _rule(users["director"], "agent", "0", "30")
    rules.update(users["manager"], rule, {"customer_kind": "agent", "min_amount": "0", "deposit_percent": "40",
                                          "balance_rule": "after_acceptance", "balance_days": "30", "active": True})
    rules.deactivate(users["manager"], rule)
    with pytest.raises(DomainError):
        rules.deactivate(users["manager"], rule)
    db.session.commit()
    actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "PaymentTermRule")
                                      .order_by(AuditEntry.id)))
    assert actions == ["payment_rule.create", "payment_rule.update", "payment_rule.deactivate"]
    update = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "payment_rule.update"))
    assert update.before["deposit_percent"] == "30.00" and update.after["deposit_percent"] == "40.00"


# ---- contracts ------------------------------------------------------------------------------------

def test_blank_payment_terms_of_a_new_contract_come_from_the_proposal(app, users):
    rule = _rule(users["manager"], "distributor", "5000", "30")
    rep = users["rep1"]
    customer = _customer(rep, "distributor")
    contract = svc.create_contract(rep, customer, _line("5000.00", 2))
    assert contract.payment_terms == "签订时付 30% 定金，验收合格后 30 天内付清余款"
    assert contract.payment_rule_id == rule.id
    typed = svc.create_contract(rep, customer, _line("5000.00", 2), payment_terms="款到发货")
    assert typed.payment_terms == "款到发货" and typed.payment_rule_id is None
    small = svc.create_contract(rep, customer, _line("10.00", 1))  # below every threshold: left blank
    assert small.payment_terms == "" and small.payment_rule_id is None


def test_an_edited_contract_is_proposed_again_unless_its_terms_were_typed(app, users):
    m, rep = users["manager"], users["rep1"]
    _rule(m, "distributor", "0", "30")
    big = _rule(m, "distributor", "50000", "50", days="60")
    customer = _customer(rep, "distributor")
    contract = svc.create_contract(rep, customer, _line("5000.00", 2))
    # The form comes back with the proposal's text untouched; the amount grew past the next threshold.
    svc.update_contract(rep, contract, customer, _line("5000.00", 20), payment_terms=contract.payment_terms)
    assert contract.payment_rule_id == big.id and contract.payment_terms == rules.text(big)
    svc.update_contract(rep, contract, customer, _line("5000.00", 20), payment_terms="货到付款")
    assert contract.payment_rule_id is None and contract.payment_terms == "货到付款"
    svc.update_contract(rep, contract, customer, _line("5000.00", 1), payment_terms="货到付款")
    assert contract.payment_terms == "货到付款"  # typed terms stay typed whatever the amount


def test_a_quotation_without_terms_becomes_a_contract_with_the_proposal(app, users):
    rule = _rule(users["manager"], "", "0", "20", balance="after_delivery", days="15")
    rep = users["rep1"]
    customer = _customer(rep, "end_user")
    quotation = svc.create_quotation(rep, customer, _line(), today_local(), "")
    approvals.decide(users["manager"], svc.submit_quotation(rep, quotation).id, "approve", "同意")
    contract = svc.contract_from_quotation(rep, quotation)
    assert contract.payment_terms == "签订时付 20% 定金，货到后 15 天内付清余款" and contract.payment_rule_id == rule.id


# ---- pages --------------------------------------------------------------------------------------

def _form(**extra):
    data = {"customer_kind": "distributor", "min_amount": "10,000", "deposit_percent": "30",
            "balance_rule": "after_acceptance", "balance_days": "30", "note": "", "active": "y"}
    data.update(extra)
    return data


def test_the_rules_page_is_the_manager_and_directors(app, users, login):
    rule = _rule(users["manager"])
    db.session.commit()
    for name in ("rep1", "supervisor1", "assistant", "finance", "gm"):
        client = login(name)
        assert client.get("/contracts/payment-terms").status_code == 403
        assert client.post("/contracts/payment-terms/new", data=_form()).status_code == 403
        assert client.post(f"/contracts/payment-terms/{rule.id}/deactivate").status_code == 403
    assert _count(PaymentTermRule) == 1 and rule.active
    for name in ("manager", "director"):
        page = login(name).get("/contracts/payment-terms")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "签订时付 30% 定金，验收合格后 30 天内付清余款" in html
        assert '<td class="num">30%</td>' in html
    assert 'href="/contracts/payment-terms"' in login("director").get("/contracts/").get_data(as_text=True)


def test_rules_are_added_changed_and_stopped_through_the_page(app, users, login):
    director = login("director")
    response = director.post("/contracts/payment-terms/new", data=_form())
    assert response.status_code == 303
    rule = db.session.scalar(select(PaymentTermRule))
    assert (rule.customer_kind, rule.min_amount, rule.deposit_percent) == ("distributor", Decimal("10000.00"),
                                                                           Decimal("30.00"))
    edit = director.get(f"/contracts/payment-terms/{rule.id}")
    assert edit.status_code == 200 and 'value="10000.00"' in edit.get_data(as_text=True)
    assert director.post(f"/contracts/payment-terms/{rule.id}",
                         data=_form(customer_kind="", deposit_percent="40")).status_code == 303
    db.session.expire_all()
    assert rule.customer_kind is None and rule.deposit_percent == Decimal("40.00")
    assert director.post(f"/contracts/payment-terms/{rule.id}/deactivate").status_code == 303
    db.session.expire_all()
    assert not rule.active


def test_bad_input_on_the_page_is_shown_next_to_the_field_and_nothing_is_written(app, users, login):
    manager = login("manager")
    response = manager.post("/contracts/payment-terms/new", data=_form(deposit_percent="120", balance_days="abc"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "定金比例应在 0 到 100 之间" in html and "天数请填写 0 到 365 的整数" in html and 'value="120"' in html
    assert _count(PaymentTermRule) == 0
    rule = _rule(users["manager"], "distributor", "0", "30")
    db.session.commit()
    refused = manager.post(f"/contracts/payment-terms/{rule.id}", data=_form(min_amount="-5"),
                           headers={"HX-Request": "true"})
    assert refused.status_code == 200 and "不能为负数" in refused.get_data(as_text=True)
    assert "<html" not in refused.get_data(as_text=True)
    db.session.expire_all()
    assert rule.min_amount == Decimal("0.00") and rule.deposit_percent == Decimal("30.00")


def test_the_contract_form_and_page_say_where_the_payment_terms_came_from(app, users, login):
    _rule(users["manager"], "distributor", "0", "30")
    db.session.commit()
    rep, customer = login("rep1"), _customer(users["rep1"], "distributor")
    product = db.session.scalar(select(Product).where(Product.active).order_by(Product.id))
    data = {"kind": "sales", "customer_id": customer.id, "payment_terms": "", "delivery_terms": "",
            "special_clauses": "", "lines-0-product_id": product.id, "lines-0-quantity": "2",
            "lines-0-unit_price": "5000"}
    assert "留空则按客户类别和合同金额套用付款条件规则" in rep.get("/contracts/new").get_data(as_text=True)
    assert rep.post("/contracts/new", data=data).status_code == 303
    contract = db.session.scalar(select(Contract).order_by(Contract.id.desc()))
    assert contract.payment_terms == "签订时付 30% 定金，验收合格后 30 天内付清余款"
    page = rep.get(f"/contracts/{contract.id}").get_data(as_text=True)
    assert "按付款条件规则" in page and "手工填写" not in page
    form = rep.get(f"/contracts/{contract.id}/edit").get_data(as_text=True)
    assert "留空则按付款条件规则填写：签订时付 30% 定金，验收合格后 30 天内付清余款" in form
    assert rep.post("/contracts/new", data={**data, "payment_terms": "款到发货"}).status_code == 303
    typed = db.session.scalar(select(Contract).order_by(Contract.id.desc()))
    assert "手工填写" in rep.get(f"/contracts/{typed.id}").get_data(as_text=True)
