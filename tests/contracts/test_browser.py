"""In Chromium: rep1 writes a quotation and submits it, the manager approves it in the inbox, rep1 converts
it to a contract and submits that, the manager approves it, rep1 records the signing and uploads the
signed scan. Screenshots of every page at 1366 and 390 px into test-output/."""

from datetime import timedelta

import pytest
from conftest import PHONE, screenshot
from playwright.sync_api import expect
from sqlalchemy import select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import Customer, Product
from intranet.models.contracts import Contract, Quotation
from intranet.services import approvals
from intranet.services import contracts as svc

DESKTOP = {"width": 1366, "height": 900}
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a7f1d2e50000000049454e44ae426082")


def _approve_in_inbox(manager, doc_type, doc_id):
    db.session.expire_all()
    req = approvals.request_for(doc_type, doc_id)
    manager.goto("/approvals/")
    row = manager.locator(f"#approval-row-{req.id}")
    row.locator("button[value=approve]").click()
    expect(row).to_contain_text("已通过")


def _shoot(pages, url, name):
    for pg, width in pages:
        pg.goto(url)
        screenshot(pg, f"contracts-{name}-{width}")


@pytest.mark.browser
def test_quotation_to_signed_contract(as_user, users, tmp_path):
    customer = db.session.scalar(select(Customer).where(Customer.owner_id == users["rep1"].id).order_by(Customer.id))
    product = db.session.scalar(select(Product).where(Product.active).order_by(Product.id))
    rep = as_user("rep1", viewport=DESKTOP)
    phone = as_user("rep1", viewport=PHONE)
    manager = as_user("manager", viewport=DESKTOP)
    both = [(rep, 1366), (phone, 390)]

    # rep1 writes the quotation: a wrong quantity is answered next to its field first
    rep.goto("/contracts/quotations/new")
    screenshot(phone_page(phone, "/contracts/quotations/new"), "contracts-quotation-form-390")
    rep.select_option("select[name=customer_id]", str(customer.id))
    rep.fill("input[name=valid_until]", (today_local() + timedelta(days=30)).isoformat())
    rep.select_option("select[name='lines-0-product_id']", str(product.id))
    rep.fill("input[name='lines-0-quantity']", "0")
    rep.fill("input[name='lines-0-unit_price']", "1234.50")
    rep.fill("textarea[name=terms]", "款到发货；含 13% 增值税；质保一年")
    rep.click("#save-quotation")
    expect(rep.locator("#quotation-form .error").first).to_contain_text("数量必须大于零")
    screenshot(rep, "contracts-quotation-form-1366")
    rep.fill("input[name='lines-0-quantity']", "2")
    rep.click("#save-quotation")
    expect(rep.locator("#quotation-status")).to_have_text("草稿")
    expect(rep.locator("#doc-total")).to_have_text("¥2,469.00")
    quotation = db.session.scalar(select(Quotation).order_by(Quotation.id.desc()))
    rep.click("#submit-quotation")
    expect(rep.locator("#quotation-status")).to_have_text("评审中")

    # the manager approves it in the inbox
    _approve_in_inbox(manager, svc.QUOTATION_TYPE, quotation.id)
    screenshot(manager, "contracts-inbox-1366")

    # rep1 sees the history, prints it, marks it sent and converts it
    rep.reload()
    expect(rep.locator("#quotation-status")).to_have_text("评审通过")
    expect(rep.locator(".approval-history")).to_contain_text("销售经理审核报价")
    _shoot(both, f"/contracts/quotations/{quotation.id}", "quotation")
    _shoot(both, f"/contracts/quotations/{quotation.id}/print", "quotation-print")
    expect(rep.locator("#print-total")).to_have_text("¥2,469.00")
    _shoot(both, "/contracts/quotations", "quotations")
    rep.goto(f"/contracts/quotations/{quotation.id}")
    rep.click("#mark-sent")
    expect(rep.locator("#quotation-status")).to_have_text("已发出")
    rep.click("#convert-quotation")
    expect(rep.locator("#contract-status")).to_have_text("草稿")
    contract = db.session.scalar(select(Contract).where(Contract.quotation_id == quotation.id))

    # rep1 adds the delivery terms and submits the contract for review
    rep.click("#edit-contract")
    rep.fill("textarea[name=delivery_terms]", "合同签订后 15 日内发货，运费由供方承担")
    screenshot(rep, "contracts-contract-form-1366")
    screenshot(phone_page(phone, f"/contracts/{contract.id}/edit"), "contracts-contract-form-390")
    rep.click("#save-contract")
    expect(rep.locator("#contract-status")).to_have_text("草稿")
    rep.click("#submit-contract")
    expect(rep.locator("#contract-status")).to_have_text("评审中")
    _approve_in_inbox(manager, svc.CONTRACT_TYPE, contract.id)

    # signed and scanned
    rep.reload()
    expect(rep.locator("#contract-status")).to_have_text("评审通过")
    rep.fill("input[name=signed_on]", today_local().isoformat())
    rep.click("#mark-signed")
    expect(rep.locator("#contract-status")).to_have_text("已签订")
    expect(rep.locator("#scan-file")).to_contain_text("未上传")
    scan = tmp_path / "签字盖章合同.png"
    scan.write_bytes(PNG)
    rep.set_input_files("input[name=scan]", str(scan))
    rep.click("#upload-scan")
    expect(rep.locator("#scan-file a")).to_have_text("签字盖章合同.png")
    expect(rep.locator("#original-state")).to_contain_text("待交财务")
    _shoot(both, f"/contracts/{contract.id}", "contract")
    _shoot(both, "/contracts/", "register")
    _shoot(both, f"/customers/{customer.id}", "customer")
    expect(rep.locator("#customer-contracts")).to_contain_text(contract.number)
    db.session.expire_all()
    assert contract.status == "signed" and contract.scan_file_id is not None


def phone_page(pg, url):
    pg.goto(url)
    return pg
