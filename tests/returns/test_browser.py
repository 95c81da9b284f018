"""Acceptance 5 (and the screenshot of acceptance 4): a quality return from filing to the register, in Chromium."""

import pytest
from conftest import browser_login, screenshot
from playwright.sync_api import expect
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import Product, ReturnRequest

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a7f1d2e50000000049454e44ae426082")


@pytest.mark.browser
def test_quality_return_end_to_end(page, as_user, users):
    _flow(page, as_user)


def _status(pg):
    return pg.locator(".page-head h1 .status")


def _flow(page, as_user):
    membrane = db.session.scalar(select(Product).where(Product.code == "MEM-4040"))
    filters = db.session.scalar(select(Product).where(Product.code == "PP-20"))

    # rep1 files a quality return: two lines (the second through the HTMX row editor)
    browser_login(page, "rep1")
    page.goto("/returns/")
    page.click("text=新建退货申请")
    page.fill("input[name=customer_name]", "嘉兴禾源纯水科技有限公司")
    page.fill("input[name=order_ref]", "XS-2026-1102-0093")
    page.select_option("select[name=reason]", "quality")
    page.fill("textarea[name=reason_detail]", "膜元件装机后一周脱盐率下降到 85%。")
    page.fill("textarea[name=cost_split]", "往返运费由我司承担。")
    page.select_option("select[name='lines-0-product_id']", str(membrane.id))
    page.fill("input[name='lines-0-quantity']", "4")
    page.fill("input[name='lines-0-unit_price']", "1350")
    page.click("button[value=add_line]")
    expect(page.locator("input[name='lines-3-quantity']")).to_be_visible()  # 3 rows were there, one added
    page.select_option("select[name='lines-3-product_id']", str(filters.id))
    page.fill("input[name='lines-3-quantity']", "20")
    page.fill("input[name='lines-3-unit_price']", "18.50")
    page.click("#return-form button.primary")
    expect(_status(page)).to_have_text("草稿")
    number = page.locator(".page-head h1").inner_text().split()[1]
    expect(page.locator(".ret-lines tfoot")).to_contain_text("¥5,770.00")
    page.click("#submit-return")
    expect(_status(page)).to_have_text("待填品质投诉单")
    doc = db.session.scalar(select(ReturnRequest).where(ReturnRequest.number == number))
    detail = f"/returns/{doc.id}"

    # the assistant attaches the complaint form (with a photo): the return goes up for sign-off
    assistant = as_user("assistant")
    assistant.goto(detail)
    assistant.click("text=填写品质投诉单")
    assistant.select_option("select[name=product_id]", str(membrane.id))
    assistant.fill("input[name=batch]", "M2610-11")
    assistant.fill("textarea[name=defect]", "脱盐率 85%，标准 ≥ 97%。")
    assistant.fill("textarea[name=customer_demand]", "退回 4 支膜元件和 20 支滤芯。")
    assistant.fill("textarea[name=proposed_handling]", "同意退回，送质检部检测。")
    assistant.set_input_files("#complaint-files", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": PNG}])
    assistant.click("#complaint-form button.primary")
    expect(_status(assistant)).to_have_text("审批中")
    expect(assistant.locator("#attachments img")).to_have_count(1)

    # supervisor1 reviews, the director approves, the gm signs — each from the return's own page
    for username, after in (("supervisor1", "审批中"), ("director", "审批中"), ("gm", "已签批")):
        signer = as_user(username)
        signer.goto(detail)
        signer.locator(".decision-form textarea[name=comment]").fill("同意")
        signer.locator(".decision-form button[value=approve]").click()
        expect(_status(signer)).to_have_text(after)
        expect(signer.locator(".decision-form")).to_have_count(0)

    # the assistant tracks it: customer notified, shipped back, received (counted)
    assistant.goto(detail)
    assistant.fill("#track-form textarea[name=note]", "已电话通知客户采购部发回。")
    assistant.click("#track-form button.primary")
    expect(_status(assistant)).to_have_text("已通知客户")
    assistant.fill("#track-form input[name=carrier]", "顺丰速运")
    assistant.fill("#track-form input[name=tracking_no]", "SF1402339870001")
    assistant.click("#track-form button.primary")
    expect(_status(assistant)).to_have_text("客户已发回")
    first_line = f"#track-form input[name=line_{doc.lines[0].id}]"
    assistant.fill(first_line, "5")  # more than approved: refused in place
    assistant.click("#track-form button.primary")
    expect(assistant.locator("#track-form .error")).to_contain_text("超过批准退货数量 4")
    assistant.fill(first_line, "4")
    assistant.click("#track-form button.primary")
    expect(_status(assistant)).to_have_text("已入库")

    # finance records the credit note
    finance = as_user("finance")
    finance.goto(detail)
    finance.select_option("#track-form select[name=kind]", "credit")
    expect(finance.locator("#track-form input[name=amount]")).to_have_value("5770.00")
    finance.fill("#track-form input[name=reference]", "红字发票 No.04419001")
    finance.click("#track-form button.primary")
    expect(_status(finance)).to_have_text("财务已处理")

    # the assistant closes it
    assistant.goto(detail)
    assistant.click("#close-return")
    expect(_status(assistant)).to_have_text("已结案")

    # it is in the register, with the chart drawn
    director = as_user("director")
    director.goto("/returns/register")
    expect(director.locator("#register-entries")).to_contain_text(number)
    expect(director.locator("#returns-chart")).to_have_attribute("data-chart-drawn", "1")

    # the printed form: every signature (name, role, time) and the complaint form
    director.goto(f"{detail}/print")
    signatures = director.locator(".ret-signatures").first
    for name, role in (("周杰", "销售代表"), ("刘洋", "销售主管"), ("李志强", "销售总监"), ("王建国", "总经理")):
        expect(signatures).to_contain_text(name)
        expect(signatures).to_contain_text(role)
    expect(director.locator(".ret-print-complaint")).to_contain_text("送质检部检测")
    screenshot(director, "return-print")
