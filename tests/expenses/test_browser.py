"""Acceptance 6: rep1 submits a claim with a receipt image, supervisor1 approves, the assistant pays it
from petty cash, finance confirms, and the ledger shows the entry with the new balance."""

import expense_helpers as h
import pytest
from conftest import screenshot
from playwright.sync_api import expect

from intranet.extensions import db
from intranet.models import ExpenseClaim, LedgerEntry


@pytest.mark.browser
def test_claim_to_ledger(as_user, live_server, users):
    # rep1 fills the claim, attaches a photo of the receipt and submits
    rep = as_user("rep1")
    rep.goto("/expenses/claims/new")
    rep.fill("input[name=title]", "杭州客户拜访")
    rep.select_option("select[name=lines-0-category]", "travel")
    rep.fill("input[name=lines-0-spent_on]", h.today_local().isoformat())
    rep.fill("input[name=lines-0-amount]", "1,234.50")
    rep.fill("input[name=lines-0-description]", "高铁往返")
    rep.set_input_files("input[name=receipts]", files=[{"name": "fapiao.png", "mimeType": "image/png",
                                                         "buffer": h.PNG}])
    rep.click("button[name=action][value=submit]")
    expect(rep.locator("#claim-status")).to_have_text("审批中")
    expect(rep.locator("#receipts img.receipt-thumb")).to_have_count(1)
    claim_url = rep.url
    claim_id = int(claim_url.rstrip("/").rsplit("/", 1)[1])
    rep.context.close()

    # supervisor1 approves on the claim page (HTMX form, then the page reloads)
    sup = as_user("supervisor1")
    sup.goto(claim_url)
    sup.click(f"#decision-{_request_id(claim_id)} button[value=approve]")
    expect(sup.locator("#claim-status")).to_have_text("待支付")
    sup.context.close()

    # the assistant pays it from petty cash
    assistant = as_user("assistant")
    assistant.goto(claim_url)
    expect(assistant.locator("#pay")).to_contain_text("¥4,177.00")
    assistant.click("#pay button.primary")
    expect(assistant.locator("#claim-status")).to_have_text("已支付")
    expect(assistant.locator("#payment-info")).to_contain_text("¥1,234.50")

    # finance confirms it in the queue (swapped in place)
    finance = as_user("finance")
    entry_id = db.session.scalar(db.select(ExpenseClaim.ledger_entry_id).where(ExpenseClaim.id == claim_id))
    finance.goto("/ledger/confirm")
    finance.click(f"#confirm-{entry_id} button.link")
    expect(finance.locator(f"#confirm-{entry_id}")).to_have_count(0)
    expect(finance.locator("#queue .flash-success")).to_contain_text("已复核")
    finance.context.close()

    # the ledger shows the entry, its new balance and who checked it
    assistant.goto("/ledger/")
    row = assistant.locator(f"#entry-{entry_id}")
    expect(row).to_contain_text("报销支付")
    expect(row.locator("td.balance")).to_have_text("¥2,942.50")
    expect(row).to_contain_text("孙丽")
    expect(assistant.locator("#current-balance")).to_have_text("¥2,942.50")
    screenshot(assistant, "ledger")
    assistant.context.close()

    db.session.expire_all()
    entry = db.session.get(LedgerEntry, entry_id)
    assert entry.confirmed_by_id == users["finance"].id and entry.ref_id == claim_id


def _request_id(claim_id: int) -> int:
    from intranet.services import approvals

    db.session.expire_all()
    return approvals.request_for("expense", claim_id).id
