"""Issue 19 acceptance 6 in Chromium, one flow: rep1's quotation is reviewed by the manager and becomes a
contract; the contract is reviewed, signed and its signed copy uploaded; the assistant enters an order
against it (paid first, confirmed by finance), ships it (checked by the manager) and invoices it (checked);
finance registers the customer's money, the assistant allocates half of the invoice and finance confirms;
the performance sheet then shows each step with the amounts still to go."""

from datetime import timedelta
from decimal import Decimal

import pytest
from conftest import PHONE, screenshot
from playwright.sync_api import expect
from sqlalchemy import select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import Customer, IncomingPayment, Invoice, Order, PaymentAllocation, Product, Shipment
from intranet.models.contracts import Contract, Quotation
from intranet.services import approvals
from intranet.services import contracts as svc

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a7f1d2e50000000049454e44ae426082")
SLIP = {"name": "回单.png", "mimeType": "image/png", "buffer": PNG}


def _approve_in_inbox(manager, doc_type, doc_id):
    db.session.expire_all()
    req = approvals.request_for(doc_type, doc_id)
    manager.goto("/approvals/")
    row = manager.locator(f"#approval-row-{req.id}")
    row.locator("button[value=approve]").click()
    expect(row).to_contain_text("已通过")


def _latest(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(model).where(*where).order_by(model.id.desc()))


@pytest.mark.browser
def test_quotation_to_contract_to_order_to_cash_on_the_performance_sheet(as_user, users):
    customer = db.session.scalar(select(Customer).where(Customer.owner_id == users["rep1"].id).order_by(Customer.id))
    mem = db.session.scalar(select(Product).where(Product.code == "MEM-4040"))
    price = f"{mem.list_price:.2f}"
    total = mem.list_price * 4
    rep, manager = as_user("rep1"), as_user("manager")

    # the quotation, reviewed by the manager, becomes a contract; reviewed, signed, its copy uploaded
    rep.goto("/contracts/quotations/new")
    rep.select_option("select[name=customer_id]", str(customer.id))
    rep.fill("input[name=valid_until]", (today_local() + timedelta(days=30)).isoformat())
    rep.select_option("select[name='lines-0-product_id']", str(mem.id))
    rep.fill("input[name='lines-0-quantity']", "4")
    rep.fill("input[name='lines-0-unit_price']", price)
    rep.fill("textarea[name=terms]", "款到发货；质保一年")
    rep.click("#save-quotation")
    rep.click("#submit-quotation")
    expect(rep.locator("#quotation-status")).to_have_text("评审中")
    quotation = _latest(Quotation, Quotation.rep_id == users["rep1"].id)
    _approve_in_inbox(manager, svc.QUOTATION_TYPE, quotation.id)
    rep.reload()
    rep.click("#mark-sent")
    rep.click("#convert-quotation")
    expect(rep.locator("#contract-status")).to_have_text("草稿")
    contract = _latest(Contract, Contract.quotation_id == quotation.id)
    rep.click("#submit-contract")
    _approve_in_inbox(manager, svc.CONTRACT_TYPE, contract.id)
    rep.reload()
    rep.fill("input[name=signed_on]", today_local().isoformat())
    rep.click("#mark-signed")
    expect(rep.locator("#contract-status")).to_have_text("已签订")
    rep.set_input_files("input[name=scan]", files=[{"name": "签字盖章合同.png", "mimeType": "image/png", "buffer": PNG}])
    rep.click("#upload-scan")
    expect(rep.locator("#scan-file a")).to_have_text("签字盖章合同.png")

    # the order against the contract: paid first, entered, shipped and checked, invoiced and checked
    assistant, finance = as_user("assistant"), as_user("finance")
    assistant.goto("/orders/new")
    assistant.select_option("select[name=customer_id]", str(customer.id))
    expect(assistant.locator("select[name=contract_id]")).to_contain_text(contract.number)
    assistant.select_option("select[name=contract_id]", str(contract.id))
    assistant.select_option("select[name=delivery_method]", "logistics")
    assistant.fill("input[name=consignee]", "设备部 王工")
    assistant.fill("input[name=phone]", "021-6234 5678")
    assistant.fill("input[name=address]", "上海市浦东新区张江路 88 号")
    assistant.select_option("select[name='lines-0-product_id']", str(mem.id))
    assistant.fill("input[name='lines-0-quantity']", "4")
    assistant.fill("input[name='lines-0-unit_price']", price)
    assistant.click("#save-order")
    expect(assistant.locator(".page-head h1 .status")).to_have_text("已登记待制单")
    order = _latest(Order, Order.contract_id == contract.id)
    assistant.goto(f"/orders/payments/new?customer={customer.id}")
    assistant.select_option("select[name=pay_type]", "transfer")
    assistant.fill("input[name=bank]", "招商银行上海分行")
    assistant.fill("input[name=amount]", f"{total:.2f}")
    assistant.click("#save-payment")
    finance.goto(assistant.url)
    finance.click("#confirm-payment")
    expect(finance.locator("#payment-status")).to_have_text("已到账")
    assistant.goto(f"/orders/{order.id}")
    assistant.click("#enter-order")
    expect(assistant.locator(".page-head h1 .status")).to_have_text("已制单")
    assistant.goto(f"/orders/{order.id}/ship")
    assistant.fill("input[name=carrier]", "德邦物流")
    assistant.fill("input[name=waybill]", "DPK88001")
    assistant.fill("input[name=pieces]", "1")
    assistant.click("#save-shipment")
    manager.goto(assistant.url)
    manager.click("#check-shipment")
    expect(manager.locator("#shipment-status")).to_have_text("已复核发出")
    assistant.goto(f"/orders/{order.id}")
    assistant.click("#invoice-order")
    assistant.fill("input[name=invoice_no]", "04480001")
    assistant.select_option("select[name=mail_method]", "courier")
    assistant.click("#save-invoice")
    finance.goto(assistant.url)
    finance.click("#check-invoice")
    expect(finance.locator("#invoice-status")).to_have_text("已复核")
    invoice = _latest(Invoice, Invoice.order_id == order.id)

    # the customer pays half: finance registers it, the assistant allocates it, finance confirms
    half = (total / 2).quantize(Decimal("0.01"))
    finance.goto("/receivables/payments/new")
    finance.select_option("#incoming-form select[name=customer_id]", str(customer.id))
    finance.fill("#incoming-form input[name=payer]", customer.name)
    finance.select_option("#incoming-form select[name=pay_type]", "transfer")
    finance.fill("#incoming-form input[name=amount]", f"{half:.2f}")
    finance.fill("#incoming-form input[name=received_on]", today_local().isoformat())
    finance.set_input_files("#incoming-form input[name=slip]", files=[SLIP])
    finance.click("#save-incoming")
    expect(finance.locator("#unallocated")).to_have_text(f"¥{half:,.2f}")
    incoming = _latest(IncomingPayment, IncomingPayment.customer_id == customer.id)
    assistant.goto(f"/receivables/payments/{incoming.id}")
    assistant.fill(f"#amount_{invoice.id}", f"{half:.2f}")
    assistant.click("#save-allocation")
    expect(assistant.locator("#allocated")).to_have_text(f"¥{half:,.2f}")
    allocation = _latest(PaymentAllocation, PaymentAllocation.payment_id == incoming.id)
    finance.goto(f"/receivables/payments/{incoming.id}")
    finance.click(f"#confirm-{allocation.id}")
    expect(finance.locator(f"#allocation-{allocation.id}")).not_to_contain_text("待财务确认")

    # the performance sheet: every step, and what is still to go
    shipment = _latest(Shipment, Shipment.order_id == order.id)
    for reader in (rep, as_user("supervisor1", viewport=PHONE)):
        reader.goto(f"/contracts/{contract.id}/performance")
        sheet = reader.locator("#sheet")
        for ref in (contract.number, order.number, shipment.number, invoice.number):
            expect(sheet).to_contain_text(ref)
        expect(reader.locator("[data-figure=to_ship]")).to_have_text("¥0.00")
        expect(reader.locator("[data-figure=to_collect]")).to_have_text(f"¥{total - half:,.2f}")
    screenshot(rep, "contract-to-cash-sheet")
    screenshot(reader, "contract-to-cash-sheet-phone")
