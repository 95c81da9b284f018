"""The allocation form's contract (issue 19): the assistant may name one of the paying customer's signed
contracts; the allocation records it, and a contract of another customer, or one not yet signed, is
refused with the message next to the contract field and nothing written."""

import re
from decimal import Decimal

from receivable_helpers import customer_of, invoice, product, receipt, signed_contract
from sqlalchemy import func, select

from intranet.extensions import db
from intranet.models import IncomingPayment, PaymentAllocation
from intranet.services import contracts


def _allocations(payment) -> int:
    return db.session.scalar(select(func.count()).select_from(PaymentAllocation)
                             .where(PaymentAllocation.payment_id == payment.id))


def _contract_field(html: str) -> str:
    """The form field block that holds the contract select (its label, control and messages)."""
    match = re.search(r'<div class="field [^"]*">\s*<label for="contract_id".*?</select>.*?</div>\s*(?=<div class="field)',
                      html, re.S)
    assert match, "no contract field on the allocation form"
    return match.group(0)


def test_choosing_a_signed_contract_records_it_on_the_allocation(app, users, login):
    inv = invoice(users, qty=2)
    customer = inv.order.customer
    contract = signed_contract(users, customer)
    payment = receipt(users, customer, "100")
    assistant = login("assistant")
    page = assistant.get(f"/receivables/payments/{payment.id}").get_data(as_text=True)
    assert f'<option value="{contract.id}">{contract.number}' in _contract_field(page)
    response = assistant.post(f"/receivables/payments/{payment.id}/allocate",
                              data={f"amount_{inv.id}": "30", "contract_id": str(contract.id), "memo": "合同款"})
    assert response.status_code == 303, re.findall(r'class="error">([^<]*)', response.get_data(as_text=True))
    row = db.session.scalar(select(PaymentAllocation).where(PaymentAllocation.payment_id == payment.id))
    assert row.contract_ref == contract.id and row.amount == Decimal("30.00")
    assert contract.number in login("finance").get(f"/receivables/payments/{payment.id}").get_data(as_text=True)


def test_without_a_contract_the_allocation_names_none(app, users, login):
    inv = invoice(users, qty=2)
    payment = receipt(users, inv.order.customer, "50")
    response = login("assistant").post(f"/receivables/payments/{payment.id}/allocate",
                                       data={f"amount_{inv.id}": "20", "contract_id": ""})
    assert response.status_code == 303
    row = db.session.scalar(select(PaymentAllocation).where(PaymentAllocation.payment_id == payment.id))
    assert row.contract_ref is None  # the invoice's order has no contract


def test_a_wrong_contract_is_refused_next_to_the_field_and_nothing_is_written(app, users, login):
    inv = invoice(users, qty=2)
    customer = inv.order.customer
    payment = receipt(users, customer, "100")
    others = signed_contract(users, customer_of(users, "rep3"))
    p, rep = product("PP-20"), customer.owner
    draft = contracts.create_contract(rep, customer, [contracts.LineInput(p.id, 1, Decimal("500.00"))])
    db.session.commit()
    assistant = login("assistant")
    for contract_id, message in ((others.id, "请选择该客户的合同"), (draft.id, f"合同 {draft.number} 尚未签订"),
                                 (999999, "请选择该客户的合同")):
        response = assistant.post(f"/receivables/payments/{payment.id}/allocate",
                                  data={f"amount_{inv.id}": "30", "contract_id": str(contract_id)},
                                  headers={"HX-Request": "true"})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html
        field = _contract_field(html)
        assert "has-error" in field and message in field
        assert 'value="30"' in html  # what was typed is kept
    db.session.expire_all()
    assert _allocations(payment) == 0
    assert db.session.get(IncomingPayment, payment.id).allocated == Decimal("0.00")
