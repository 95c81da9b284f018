"""The performance sheet in Chromium: a signed contract with an order, a shipment, an invoice and a payment
made through the services; rep1 picks the contract on the order form (the list follows the customer), reads
the sheet with its amounts to go, records a follow-up note on it; screenshots at desktop and phone width."""

from decimal import Decimal

import pytest
from conftest import PHONE, browser_login, screenshot
from playwright.sync_api import expect
from sqlalchemy import select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import Customer, Product
from intranet.services import approvals, contracts, invoices, orders, payments, receivables, shipments, stock

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a7f1d2e50000000049454e44ae426082")


def _story(users):
    pp = db.session.scalar(select(Product).where(Product.code == "PP-20"))
    customer = db.session.scalar(select(Customer).where(Customer.owner_id == users["rep1"].id).order_by(Customer.id))
    stock.receive(users["assistant"], pp, "50")
    c = contracts.create_contract(users["rep1"], customer, [contracts.LineInput(pp.id, 40, Decimal("18.50"))])
    req = contracts.submit_contract(users["rep1"], c)
    approvals.decide(users["manager"], req.id, "approve", "同意")
    contracts.mark_signed(users["rep1"], c, today_local())
    fields = {"customer": customer, "delivery_method": "logistics", "consignee": "陈工", "phone": "021-6234 5678",
              "address": "上海市浦东新区张江路 88 号", "contract_id": c.id}
    order = orders.request(users["rep1"], fields, [orders.LineInput(pp.id, "10", pp.list_price)]).order
    note = payments.register(users["assistant"], {"customer": customer, "pay_type": "transfer", "bank": "工行",
                                                  "amount": order.total, "paid_on": order.requested_on})
    payments.decide(users["finance"], note, True)
    orders.enter(users["assistant"], order, note)
    ln = order.lines[0]
    ship = shipments.prepare(users["assistant"], order, {ln.id: "10"},
                             {"carrier": "德邦", "method": "logistics", "waybill": "DB123456", "pieces": "2"})
    shipments.check(users["manager"], ship)
    inv = invoices.prepare(users["assistant"], order, {ln.id: ("10", ln.unit_price)}, {
        "invoice_no": "NO778899", "content": pp.name, "recipient": "财务部", "mail_method": "courier"})
    invoices.check(users["manager"], inv)
    money = receivables.register(users["finance"], {
        "customer": customer, "payer": customer.name, "pay_type": "transfer", "bank": "招商银行",
        "amount": Decimal("100.00"), "received_on": today_local()}, ("slip.png", PNG))
    row = receivables.allocate(users["assistant"], money, inv, Decimal("100.00"))
    receivables.confirm(users["finance"], row)
    db.session.commit()
    return c, customer, order, ship, inv


@pytest.mark.browser
def test_sheet_in_the_browser(page, as_user, users):
    c, customer, order, ship, inv = _story(users)
    browser_login(page, "rep1")

    # the order form offers the chosen customer's signed contracts
    page.goto("/orders/new")
    expect(page.locator("select[name=contract_id] option")).to_have_count(1)
    page.select_option("select[name=customer_id]", str(customer.id))
    expect(page.locator("select[name=contract_id]")).to_contain_text(c.number)

    page.goto(f"/contracts/{c.id}/performance")
    sheet = page.locator("#sheet")
    for ref in (c.number, order.number, ship.number, inv.number):
        expect(sheet).to_contain_text(ref)
    expect(page.locator("[data-figure=to_ship]")).to_have_text("¥555.00")  # 740.00 − 185.00
    expect(page.locator("[data-figure=to_collect]")).to_have_text("¥640.00")  # 740.00 − 100.00
    page.select_option("select[name=kind]", "follow_up")
    page.fill("textarea[name=note]", "第二批 30 支下周三发货")
    page.click("#save-event")
    expect(page.locator(".flash").first).to_contain_text("已登记")
    expect(sheet).to_contain_text("第二批 30 支下周三发货")
    screenshot(page, "contract-performance-desktop")

    phone = as_user("supervisor1", viewport=PHONE)
    phone.goto(f"/contracts/{c.id}/performance")
    expect(phone.locator("#sheet")).to_contain_text(inv.number)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the sheet scrolls sideways on a phone ({width}px)"
    screenshot(phone, "contract-performance-phone")
    printed = as_user("assistant")
    printed.emulate_media(media="print")
    printed.goto(f"/contracts/{c.id}/performance")
    expect(printed.locator("#event-form")).to_be_hidden()
    screenshot(printed, "contract-performance-print")
