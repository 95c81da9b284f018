"""Acceptance 6 in Chromium: rep3's customer order is requested, the payment registered and confirmed
by finance, the order entered, shipped and checked by a second person (not the preparer), the
customer notified, invoiced and checked; the order desk's tabs move it along; then a quality
return of its line is filed, linked to the order, signed off, received back and ends in an
exchange shipment checked by a second person. Screenshots at desktop and phone width."""

import pytest
from conftest import PHONE, browser_login, screenshot
from playwright.sync_api import expect
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import Customer, Order, Product, ReturnRequest, Shipment
from intranet.services import approvals
from intranet.services import returns as ret_svc


@pytest.mark.browser
def test_order_from_request_to_checked_invoice(page, as_user, users):
    order = _flow(page, as_user, users)
    _quality_return_and_exchange(page, as_user, order)


def _count(pg, tab):
    return int(pg.locator(f"[data-count={tab}]").inner_text())


def _flow(page, as_user, users):
    uf = db.session.scalar(select(Product).where(Product.code == "UF-200"))
    customer = db.session.scalar(select(Customer).where(Customer.owner_id == users["rep3"].id).order_by(Customer.id))

    # rep3 requests 1 unit for their customer (beyond stock first: the shortfall is named)
    browser_login(page, "rep3")
    page.goto("/orders/new")
    page.select_option("select[name=customer_id]", str(customer.id))
    page.select_option("select[name=delivery_method]", "logistics")
    page.fill("input[name=consignee]", "黄志明")
    page.fill("input[name=phone]", "020-3456 7890")
    page.fill("input[name=address]", "广州市天河区黄埔大道 100 号")
    page.select_option("select[name='lines-0-product_id']", str(uf.id))
    page.fill("input[name='lines-0-quantity']", "999")
    page.fill("input[name='lines-0-unit_price']", f"{uf.list_price:.2f}")
    expect(page.locator("#stock-check")).to_contain_text("缺")
    page.click("#save-order")
    expect(page.locator("#order-form .error").first).to_contain_text("库存不足")
    page.fill("input[name='lines-0-quantity']", "1")
    page.click("#save-order")
    expect(page.locator(".page-head h1 .status")).to_have_text("已登记待制单")
    number = page.locator(".page-head h1").inner_text().split()[1]
    order = db.session.scalar(select(Order).where(Order.number == number))
    detail = f"/orders/{order.id}"

    # the assistant's desk: waiting for payment; entering before the money is refused
    assistant = as_user("assistant")
    assistant.goto("/orders/desk?tab=payment")
    expect(assistant.locator("#tab")).to_contain_text(number)
    waiting = _count(assistant, "payment")
    assistant.goto(detail)
    assistant.click("#enter-order")
    expect(assistant.locator(".flash").first).to_contain_text("款未到不得在系统中制单")

    # the payment notice, confirmed by finance
    assistant.goto(f"/orders/payments/new?customer={customer.id}")
    assistant.select_option("select[name=pay_type]", "transfer")
    assistant.fill("input[name=bank]", "工商银行广州分行")
    assistant.fill("input[name=amount]", f"{uf.list_price:.2f}")
    assistant.click("#save-payment")
    expect(assistant.locator("#payment-status")).to_have_text("待财务确认")
    payment_url = assistant.url
    finance = as_user("finance")
    finance.goto(payment_url)
    finance.click("#confirm-payment")
    expect(finance.locator("#payment-status")).to_have_text("已到账")

    # now the order is entered; it moves from 'waiting for payment' to 'to ship'
    assistant.goto(detail)
    assistant.click("#enter-order")
    expect(assistant.locator(".page-head h1 .status")).to_have_text("已制单")
    assistant.goto("/orders/desk?tab=ship")
    expect(assistant.locator("#tab")).to_contain_text(number)
    assert _count(assistant, "payment") == waiting - 1
    assistant.click("#tab-notice")
    expect(assistant.locator("#tab")).not_to_contain_text(number)

    # shipped by the assistant, checked by the manager (never by the preparer)
    assistant.goto(f"/orders/{order.id}/ship")
    assistant.fill("input[name=carrier]", "德邦物流")
    assistant.fill("input[name=waybill]", "DPK77001")
    assistant.fill("input[name=pieces]", "1")
    assistant.fill("input[name=tracking_phone]", "95353")
    assistant.click("#save-shipment")
    expect(assistant.locator("#four-eyes")).to_be_visible()
    expect(assistant.locator("#check-shipment")).to_have_count(0)
    shipment_url = assistant.url
    manager = as_user("manager")
    manager.goto(shipment_url)
    manager.click("#check-shipment")
    expect(manager.locator("#shipment-status")).to_have_text("已复核发出")

    # the desk shows it waiting for the customer notice; the notice is sent and recorded
    assistant.goto("/orders/desk?tab=notice")
    expect(assistant.locator("#tab")).to_contain_text("DPK77001")
    assistant.goto(shipment_url)
    assistant.fill("input[name=to_addr]", "buyer@zhujiang.example")
    assistant.click("#send-notice")
    expect(assistant.locator("#notice-state")).to_contain_text("buyer@zhujiang.example")

    # invoiced (a wrong price is refused at the check), then checked by finance
    assistant.goto(detail)
    assistant.click("#invoice-order")
    line = order.lines[0]
    assistant.fill(f"input[name=price_{line.id}]", f"{uf.list_price - 100:.2f}")
    assistant.fill("input[name=invoice_no]", "04409901")
    assistant.select_option("select[name=mail_method]", "courier")
    assistant.click("#save-invoice")
    invoice_url = assistant.url
    finance.goto(invoice_url)
    expect(finance.locator("#mismatch")).to_contain_text("发票单价")
    finance.click("#check-invoice")
    expect(finance.locator(".flash").first).to_contain_text("与订单不符")
    expect(finance.locator("#invoice-status")).to_have_text("待复核")
    screenshot(finance, "orders-invoice-mismatch")

    # the preparer voids it and records the invoice as it should be; finance checks it
    assistant.goto(invoice_url)
    assistant.fill("#void-reason", "单价写错")
    assistant.locator("form[data-confirm] button").click()
    expect(assistant.locator("#invoice-status")).to_have_text("已作废")
    assistant.goto(f"/orders/{order.id}/invoice")
    assistant.fill("input[name=invoice_no]", "04409902")
    assistant.select_option("select[name=mail_method]", "courier")
    assistant.click("#save-invoice")
    finance.goto(assistant.url)
    finance.click("#check-invoice")
    expect(finance.locator("#invoice-status")).to_have_text("已复核")
    assistant.goto("/orders/desk?tab=invoice")
    expect(assistant.locator("#tab")).not_to_contain_text(number)
    phone = as_user("assistant", viewport=PHONE)
    phone.goto("/orders/desk?tab=today")
    expect(phone.locator("#tab")).to_contain_text(number)
    screenshot(phone, "orders-desk-phone")
    rep = as_user("rep3", viewport=PHONE)
    rep.goto(detail)
    expect(rep.locator("#shipments")).to_contain_text("DPK77001")
    screenshot(rep, "orders-rep-phone")
    assistant.goto(detail)
    screenshot(assistant, "orders-detail")
    return order


def _quality_return_and_exchange(page, as_user, order):
    line = order.lines[0]
    status = page.locator(".page-head h1 .status")

    # rep3 files a quality return of the order's line and links it to the order
    page.goto("/returns/new")
    page.fill("input[name=customer_name]", order.customer.name)
    page.fill("input[name=order_ref]", order.number)
    page.select_option("select[name=reason]", "quality")
    page.fill("textarea[name=reason_detail]", "超滤膜组件装机后渗漏。")
    page.fill("textarea[name=cost_split]", "往返运费由我司承担。")
    page.select_option("select[name='lines-0-product_id']", str(line.product_id))
    page.fill("input[name='lines-0-quantity']", "1")
    page.fill("input[name='lines-0-unit_price']", f"{line.unit_price:.2f}")
    page.click("#return-form button.primary")
    page.click("#submit-return")
    expect(status).to_have_text("待填品质投诉单")
    doc = db.session.scalar(select(ReturnRequest).where(ReturnRequest.order_ref == order.number))
    page.goto(f"/orders/returns/{doc.id}")
    page.select_option("#order_id", str(order.id))
    page.click("#link-form button.primary")
    expect(page.locator("#linked-order")).to_have_text(order.number)

    # the assistant files the complaint form; each signer approves from the return's page
    assistant = as_user("assistant")
    detail = f"/returns/{doc.id}"
    assistant.goto(detail)
    assistant.click("text=填写品质投诉单")
    assistant.select_option("select[name=product_id]", str(line.product_id))
    assistant.fill("input[name=batch]", "UF2611-02")
    assistant.fill("textarea[name=defect]", "端盖处渗漏。")
    assistant.fill("textarea[name=customer_demand]", "换货。")
    assistant.fill("textarea[name=proposed_handling]", "同意退回检测并换货。")
    assistant.click("#complaint-form button.primary")
    expect(assistant.locator(".page-head h1 .status")).to_have_text("审批中")
    for _ in range(5):
        db.session.expire_all()
        request = ret_svc.approval_request(db.session.get(ReturnRequest, doc.id))
        if request.status != "pending":
            break
        signer = as_user(approvals.step_deciders(request, request.step)[0].username)
        signer.goto(detail)
        signer.locator(".decision-form button[value=approve]").click()
        expect(signer.locator(".decision-form")).to_have_count(0)
    assistant.goto(detail)
    expect(assistant.locator(".page-head h1 .status")).to_have_text("已签批")

    # customer told, goods sent back and received: the line can now be exchanged
    assistant.fill("#track-form textarea[name=note]", "已电话通知客户发回。")
    assistant.click("#track-form button.primary")
    assistant.fill("#track-form input[name=carrier]", "顺丰速运")
    assistant.fill("#track-form input[name=tracking_no]", "SF1402339870002")
    assistant.click("#track-form button.primary")
    assistant.fill(f"#track-form input[name=line_{doc.lines[0].id}]", "1")
    assistant.click("#track-form button.primary")
    expect(assistant.locator(".page-head h1 .status")).to_have_text("已入库")

    # the exchange shipment, prepared by the assistant and checked by the manager
    assistant.goto(f"/orders/returns/{doc.id}")
    assistant.fill("#exchange-form input[name=carrier]", "德邦物流")
    assistant.fill("#exchange-form input[name=waybill]", "DPK77009")
    assistant.fill("#exchange-form input[name=pieces]", "1")
    assistant.click("#save-exchange")
    expect(assistant.locator(".flash").first).to_contain_text("换货发货单已登记")
    expect(assistant.locator("#exchange-form")).to_have_count(0)
    replacement = db.session.scalar(select(Shipment).where(Shipment.return_id == doc.id))
    manager = as_user("manager")
    manager.goto(f"/orders/shipments/{replacement.id}")
    manager.click("#check-shipment")
    expect(manager.locator("#shipment-status")).to_have_text("已复核发出")
    screenshot(manager, "orders-exchange-checked")
