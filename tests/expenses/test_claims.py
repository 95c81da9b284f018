"""Expense claims: routing by amount thresholds, the web flow with receipts, payment, visibility,
bad input, and acceptance 5 (rep1's receipts are not downloadable by rep2)."""

from decimal import Decimal
from io import BytesIO

import expense_helpers as h
import pytest

from intranet.extensions import db
from intranet.models import ExpenseClaim, LedgerEntry, Receipt, Todo
from intranet.services import approvals, expenses, ledger
from intranet.services import settings as company_settings
from intranet.services.errors import AlreadyDecided, DomainError, Forbidden


def _steps(users, *amounts):
    doc = h.claim(users["rep1"], *amounts)
    return [s["role"] or s["approver_kind"] for s in expenses.submit_claim(users["rep1"], doc).steps]


def test_route_by_amount_thresholds(users):
    assert _steps(users, "1500.00") == ["line_manager"]
    assert _steps(users, "1500.00", "500.00") == ["line_manager"]  # 2000.00 is not above 2000.00
    assert _steps(users, "2000.01") == ["line_manager", "manager"]
    assert _steps(users, "6000.00", "4000.01") == ["line_manager", "manager", "director"]


def test_thresholds_are_read_from_settings_at_submit_time(users):
    company_settings.update(users["manager"], {"expense_manager_threshold": "500.00"})
    assert _steps(users, "600.00") == ["line_manager", "manager"]


def test_approval_then_payment_from_petty_cash(users):
    doc = h.approved_claim(users, "rep1", "300.00", "86.50")
    assert doc.approved_at is not None
    assistant = users["assistant"]
    assert db.session.scalar(db.select(Todo).where(Todo.user_id == assistant.id,
                                                   Todo.key == f"expense:{doc.id}:to-pay:u{assistant.id}"))
    with pytest.raises(Forbidden):
        expenses.pay_claim(users["finance"], doc, "petty_cash")
    expenses.pay_claim(assistant, doc, "petty_cash")
    entry = db.session.get(LedgerEntry, doc.ledger_entry_id)
    assert (doc.status, doc.cash_amount, doc.offset_amount) == ("paid", Decimal("386.50"), Decimal("0.00"))
    assert entry.kind == "claim_payment" and entry.amount == Decimal("-386.50") and entry.balance == Decimal("3790.50")
    assert (entry.ref_type, entry.ref_id, entry.confirmed_by_id) == ("expense", doc.id, None)
    with pytest.raises(AlreadyDecided):
        expenses.pay_claim(assistant, doc, "petty_cash")


def test_payment_rules(users, make_user):
    big = h.approved_claim(users, "rep2", "1999.00")
    small = h.approved_claim(users, "rep2", "1999.00")
    assistant = users["assistant"]
    expenses.pay_claim(assistant, big, "petty_cash")
    expenses.pay_claim(assistant, small, "petty_cash")
    third = h.approved_claim(users, "rep2", "180.00")
    db.session.commit()
    with pytest.raises(DomainError, match="余额不足"):
        expenses.pay_claim(assistant, third, "petty_cash")
    db.session.rollback()
    assert db.session.get(ExpenseClaim, third.id).status == "approved"
    with pytest.raises(DomainError, match="没有未冲销的借款"):
        expenses.pay_claim(assistant, db.session.get(ExpenseClaim, third.id), "offset")
    db.session.rollback()
    # the assistant never pays their own claim
    own = h.claim(assistant, "20.00")
    request = expenses.submit_claim(assistant, own)
    h.approve_all(request, users["manager"])
    with pytest.raises(Forbidden, match="双人复核"):
        expenses.pay_claim(assistant, own, "petty_cash")


def test_offset_then_cash_for_the_rest(users):
    advance = h.paid_advance(users, "rep1", "500.00")
    doc = h.approved_claim(users, "rep1", "620.00")
    expenses.pay_claim(users["assistant"], doc, "offset")
    assert (doc.offset_amount, doc.cash_amount, doc.payment_method) == (Decimal("500.00"), Decimal("120.00"),
                                                                       "offset+petty_cash")
    assert advance.status == "settled" and advance.outstanding == 0
    assert [(o.claim_id, o.amount) for o in advance.offsets] == [(doc.id, Decimal("500.00"))]


def test_submit_needs_a_receipt_and_a_line(users):
    doc = h.claim(users["rep1"], "10.00", receipt=False)
    with pytest.raises(DomainError, match="票据"):
        expenses.submit_claim(users["rep1"], doc)
    with pytest.raises(DomainError, match="至少"):
        expenses.save_claim(users["rep1"], doc, title="x", lines=[])
    with pytest.raises(Forbidden):
        expenses.save_claim(users["rep2"], doc, title="x", lines=[
            {"category": "travel", "spent_on": h.today_local(), "amount": Decimal("1.00")}])


# ---- web ------------------------------------------------------------------------------------------

def _form(title="客户拜访", **lines):
    data = {"title": title, "promotion_id": "0"}
    for i, (category, day, amount, text) in enumerate(lines.get("rows", [])):
        data.update({f"lines-{i}-category": category, f"lines-{i}-spent_on": day, f"lines-{i}-amount": amount,
                     f"lines-{i}-description": text})
    return data


def test_web_flow_claim_approve_pay_confirm(login, users):
    today = h.today_local().isoformat()
    rep1 = login("rep1")
    data = _form(rows=[("travel", today, "1,234.50", "高铁"), ("courier", today, "￥45", "快递")])
    data.update(action="submit", receipts=(BytesIO(h.PNG), "fapiao.png"))
    response = rep1.post("/expenses/claims/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    doc = db.session.scalar(db.select(ExpenseClaim).where(ExpenseClaim.title == "客户拜访"))
    assert doc.total == Decimal("1279.50") and doc.status == "pending"
    page = rep1.get(f"/expenses/claims/{doc.id}").get_data(as_text=True)
    assert "¥1,279.50" in page and "fapiao.png" in page
    req = approvals.request_for("expense", doc.id)
    sup = login("supervisor1")
    assert "审批意见" in sup.get(f"/expenses/claims/{doc.id}").get_data(as_text=True)
    response = sup.post(f"/approvals/{req.id}/decide", data={
        "action": "approve", "comment": "", "step_index": 0, "round": 1, "view": "form",
        "next": f"/expenses/claims/{doc.id}"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(ExpenseClaim, doc.id).status == "approved"
    assistant = login("assistant")
    response = assistant.post(f"/expenses/claims/{doc.id}/pay", data={"method": "petty_cash", "paid_on": today})
    assert response.status_code == 303
    db.session.expire_all()
    doc = db.session.get(ExpenseClaim, doc.id)
    assert doc.status == "paid"
    entry = db.session.get(LedgerEntry, doc.ledger_entry_id)
    assert entry.balance == Decimal("4177.00") - Decimal("1279.50")
    response = login("finance").post(f"/ledger/entries/{entry.id}/confirm", data={"next": "entry"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(LedgerEntry, entry.id).confirmed_by_id == users["finance"].id
    assert "¥2,897.50" in assistant.get("/ledger/").get_data(as_text=True)


@pytest.mark.parametrize("raw, message", [("-5", "金额不能为负数"), ("1.234", "金额最多两位小数"),
                                          ("abc", "金额格式不正确")])
def test_bad_amounts_are_refused_next_to_the_field(login, raw, message):
    before = (db.session.scalar(db.select(db.func.count(ExpenseClaim.id))),
              db.session.scalar(db.select(db.func.count(Receipt.id))))
    data = _form(rows=[("travel", h.today_local().isoformat(), raw, "x")])
    data.update(action="submit", receipts=(BytesIO(h.PNG), "a.png"))
    response = login("rep1").post("/expenses/claims/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    cell = page.split('name="lines-0-amount"', 1)[1].split("</td>", 1)[0]
    assert message in cell
    assert (db.session.scalar(db.select(db.func.count(ExpenseClaim.id))),
            db.session.scalar(db.select(db.func.count(Receipt.id)))) == before


def test_htmx_form_error_is_a_fragment(login):
    data = _form(rows=[("travel", h.today_local().isoformat(), "-5", "x")])
    response = login("rep1").post("/expenses/claims/new", data=data, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "金额不能为负数" in body


def test_partial_rows_and_add_line(login):
    client = login("rep1")
    data = _form(rows=[("", "", "12.00", "")])
    response = client.post("/expenses/claims/new", data=data)
    assert "请选择类别" in response.get_data(as_text=True) and "请填写日期" in response.get_data(as_text=True)
    data = _form(rows=[("travel", "", "", ""), ("", "", "", ""), ("", "", "", "")])
    data["add_line"] = "1"
    page = client.post("/expenses/claims/new", data=data).get_data(as_text=True)
    assert 'name="lines-3-amount"' in page


def test_bad_receipts_are_refused(app, login):
    client = login("rep1")
    before = db.session.scalar(db.select(db.func.count(ExpenseClaim.id)))
    data = _form(rows=[("travel", h.today_local().isoformat(), "10", "x")])
    data.update(action="save", receipts=(BytesIO(b"MZ\x90\x00 not a picture"), "fapiao.png"))
    page = login("rep1").post("/expenses/claims/new", data=data, content_type="multipart/form-data")
    assert "只能上传图片" in page.get_data(as_text=True)
    app.config["UPLOAD_MAX_BYTES"] = 100
    data.update(receipts=(BytesIO(h.PNG + b"\0" * 200), "big.png"))
    page = client.post("/expenses/claims/new", data=data, content_type="multipart/form-data")
    assert "文件过大" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ExpenseClaim.id))) == before


# ---- acceptance 5: receipts only for those who may see the claim ---------------------------------------

def test_rep2_cannot_download_rep1_receipts(login, users):
    doc = h.claim(users["rep1"], "88.00")
    expenses.attach_receipt(users["rep1"], doc, "invoice.pdf", h.PDF)
    db.session.commit()
    image, pdf = ledger.receipts.for_doc("expense", doc.id)
    for who, status in (("rep1", 200), ("supervisor1", 200), ("finance", 200), ("manager", 200),
                        ("assistant", 200), ("rep2", 404), ("rep3", 404), ("supervisor2", 404)):
        client = login(who)
        for receipt in (image, pdf):
            response = client.get(f"/expenses/receipts/{receipt.id}")
            assert response.status_code == status, (who, receipt.filename)
            if status == 200:
                assert response.data == (h.PNG if receipt is image else h.PDF)
                assert response.mimetype == receipt.content_type
    assert login("rep2").get(f"/expenses/claims/{doc.id}").status_code == 404
    # the ledger's receipts: only the ledger's readers
    entry_receipt = db.session.scalar(db.select(Receipt).where(Receipt.doc_type == "ledger_entry"))
    assert login("rep1").get(f"/expenses/receipts/{entry_receipt.id}").status_code == 404
    assert login("finance").get(f"/expenses/receipts/{entry_receipt.id}").status_code == 200


def test_list_scope_and_export(login, users):
    h.claim(users["rep3"], "66.00", title="华南差旅")
    db.session.commit()
    assert "华南差旅" not in login("rep1").get("/expenses/").get_data(as_text=True)
    assert "华南差旅" not in login("supervisor1").get("/expenses/").get_data(as_text=True)
    assert "华南差旅" in login("supervisor2").get("/expenses/").get_data(as_text=True)
    assert "华南差旅" in login("finance").get("/expenses/?q=华南").get_data(as_text=True)
    response = login("manager").get("/expenses/?format=xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(response.data)).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    row = next(r for r in rows if r[2] == "华南差旅")
    assert Decimal(str(row[3])).quantize(Decimal("0.01")) == Decimal("66.00")
    assert ws.cell(2, 4).number_format == "#,##0.00"
    fragment = login("rep1").get("/expenses/?status=pending", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
