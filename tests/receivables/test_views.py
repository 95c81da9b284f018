"""The receivables pages through the test client: register with a slip, allocate, confirm, the
ageing page per scope and its Excel export with a totals row."""

from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook
from receivable_helpers import PNG, customer_of, invoice
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import IncomingPayment, PaymentAllocation


def test_register_allocate_confirm_through_the_pages(app, users, login):
    inv = invoice(users, qty=10)
    c = inv.order.customer
    fin = login("finance")
    r = fin.post("/receivables/payments/new", data={"customer_id": c.id, "payer": c.name, "pay_type": "transfer",
                                                    "amount": "200", "received_on": "2026-11-18",
                                                    "slip": (BytesIO(PNG), "slip.png")},
                 content_type="multipart/form-data")
    assert r.status_code == 303
    p = db.session.scalar(select(IncomingPayment).order_by(IncomingPayment.id.desc()))
    assert p.amount == Decimal("200.00")
    bad = fin.post("/receivables/payments/new", data={"customer_id": c.id, "payer": c.name, "pay_type": "transfer",
                                                      "amount": "5", "received_on": "2026-11-18",
                                                      "slip": (BytesIO(b"not an image"), "slip.png")},
                   content_type="multipart/form-data")
    assert bad.status_code == 200 and "只能上传图片" in bad.get_data(as_text=True)
    ast = login("assistant")
    r = ast.post(f"/receivables/payments/{p.id}/allocate", data={f"amount_{inv.id}": "999"}, headers={"HX-Request": "true"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in body and "超出" in body
    r = ast.post(f"/receivables/payments/{p.id}/allocate", data={f"amount_{inv.id}": "185", "memo": "货款"})
    assert r.status_code == 303
    row = db.session.scalar(select(PaymentAllocation).where(PaymentAllocation.payment_id == p.id))
    assert ast.post(f"/receivables/allocations/{row.id}/confirm").status_code == 403
    assert fin.post(f"/receivables/allocations/{row.id}/confirm").status_code == 303
    db.session.expire_all()
    assert db.session.get(PaymentAllocation, row.id).confirmed_by_id == users["finance"].id
    page = fin.get(f"/receivables/payments/{p.id}").get_data(as_text=True)
    assert "15.00" in page  # left as the customer's credit


def test_the_ageing_page_scope_and_excel_totals(app, users, login):
    invoice(users, rep="rep1", qty=3)
    other = invoice(users, rep="rep3", qty=5)
    rep_page = login("rep1").get("/receivables/?view=invoice").get_data(as_text=True)
    assert other.invoice_no not in rep_page
    fin = login("finance")
    assert other.invoice_no in fin.get("/receivables/?view=invoice").get_data(as_text=True)
    r = fin.get("/receivables/?view=customer&format=xlsx")
    ws = load_workbook(BytesIO(r.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[-1][0] == "合计"
    open_col = rows[0].index("未回款")
    assert abs(sum(float(x[open_col]) for x in rows[1:-1]) - float(rows[-1][open_col])) < 0.005
    r = fin.get("/receivables/payments?format=xlsx")
    assert r.status_code == 200
    assert customer_of(users).name in fin.get("/receivables/payments").get_data(as_text=True)
