"""Findings 1–4: each hostile input that broke a page, an export or a record, one test each."""

from io import BytesIO
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from intranet.extensions import db
from intranet.models import Customer, ExpenseClaim, Receipt
from intranet.services import expenses
from intranet.services.text_rules import clean_text
from intranet.web.money_input import parse_amount
from intranet.web.security_headers import CSP

from .hostile import FILENAME, FORMULA, PNG

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(response):
    assert response.status_code == 200 and response.mimetype == XLSX
    return load_workbook(BytesIO(response.get_data())).active


def _claim_data(title="出差\x0b上海", lines=1, **extra):
    data = {"title": title, "promotion_id": "0", "action": "save", **extra}
    for i in range(lines):
        data |= {f"lines-{i}-category": "travel", f"lines-{i}-spent_on": "2026-11-16",
                 f"lines-{i}-amount": "10.00", f"lines-{i}-description": ""}
    return data


# ---- 1 and 2: exports -------------------------------------------------------------------------

def test_a_pasted_line_break_is_cleaned_and_every_export_still_opens(login, users):
    rep = login("rep1")
    assert rep.post("/expenses/claims/new", data=_claim_data()).status_code == 303
    claim = db.session.scalar(select(ExpenseClaim).order_by(ExpenseClaim.id.desc()))
    assert claim.title == "出差\n上海"  # Word's Shift+Enter is a line break, not a control character
    for who in ("rep1", "manager", "finance", "assistant"):
        titles = [row[2].value for row in _sheet(login(who).get("/expenses/?format=xlsx")).iter_rows(min_row=2)]
        assert who != "rep1" or "出差\n上海" in titles


def test_text_already_stored_with_control_characters_still_exports(app, login, users):
    """Rows written before the cleaning (or by a script) must not break the export for ever."""
    claim = db.session.scalar(select(ExpenseClaim).where(ExpenseClaim.claimant_id == users["rep1"].id))
    db.session.execute(text(f"UPDATE {ExpenseClaim.__tablename__} SET title = :t WHERE id = :i"),
                       {"t": "坏\x0b\x01标题", "i": claim.id})
    db.session.commit()
    titles = [row[2].value for row in _sheet(login("manager").get("/expenses/?format=xlsx")).iter_rows(min_row=2)]
    assert "坏标题" in titles


def test_a_formula_typed_as_a_customer_name_is_exported_as_text(login, users):
    rep = login("rep1")
    response = rep.post("/customers/new", data={"name": FORMULA, "kind": "distributor", "stage": "potential",
                                                "callback_interval_days": "30", "credit_limit": "0"})
    assert response.status_code in (200, 303)
    assert db.session.scalar(select(Customer).where(Customer.name == FORMULA)) is not None
    ws = _sheet(login("manager").get("/customers/?format=xlsx"))
    cells = [c for row in ws.iter_rows() for c in row if c.value == FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


# ---- 3: malformed numbers, row lists, redirects, file names ------------------------------------

@pytest.mark.parametrize("url", ["/customers/99999999999999999999", "/customers/9223372036854775808",
                                 "/customers/2147483648", "/expenses/claims/99999999999999999999",
                                 "/expenses/receipts/99999999999999999999"])
def test_an_id_past_the_database_integer_is_not_found(login, url):
    assert login("manager").get(url).status_code == 404


@pytest.mark.parametrize("query", ["page=99999999999999999999", "owner=99999999999999999999",
                                   "rep=99999999999999999999", "region=-99999999999999999999", "page=-5"])
def test_a_huge_integer_in_a_query_is_ignored(login, query):
    manager = login("manager")
    for url in ("/customers/", "/expenses/", "/approvals/", "/returns/"):
        assert manager.get(f"{url}?{query}").status_code == 200, url


def test_a_claim_with_more_lines_than_allowed_is_refused_not_cut(login, users):
    before = db.session.scalar(select(db.func.count(ExpenseClaim.id)))
    response = login("rep1").post("/expenses/claims/new", data=_claim_data("三十五行", lines=35))
    assert response.status_code == 200
    assert "最多 30 行" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(ExpenseClaim.id))) == before


def test_adding_a_line_to_a_full_claim_says_so(login):
    response = login("rep1").post("/expenses/claims/new", data=_claim_data("满", lines=30, add_line="1"))
    assert response.status_code == 200
    assert "最多 30 行" in response.get_data(as_text=True)


def test_adding_a_step_to_a_full_route_says_so(login):
    data = {"op": "add"}
    for i in range(12):
        data |= {f"steps-{i}-name": f"第{i}步", f"steps-{i}-approver_kind": "role", f"steps-{i}-role": "manager",
                 f"steps-{i}-reviewers": "1"}
    response = login("manager").post("/approvals/routes/expense", data=data)
    assert response.status_code == 200
    assert "最多 12 行" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["/customers/\r\nSet-Cookie: x=1", "/x\ny", "//evil.example/", "/\\evil"])
def test_login_with_a_broken_next_goes_to_the_desk(app, target):
    client = app.test_client()
    response = client.post("/login", query_string={"next": target}, data={"username": "rep1", "password": "demo123"})
    assert response.status_code == 303
    assert response.location.endswith("/rep/")


def test_a_decision_with_a_broken_next_is_recorded_and_redirected_home(login, users):
    import expense_helpers as h

    claim = h.claim(users["rep1"], "50.00")
    expenses.submit_claim(users["rep1"], claim)
    db.session.commit()
    from intranet.services import approvals

    req = approvals.request_for("expense", claim.id)
    response = login("supervisor1").post(f"/approvals/{req.id}/decide", data={
        "action": "approve", "comment": "", "step_index": req.current_step, "round": req.round,
        "next": "/approvals/\r\nSet-Cookie: evil=1"})
    assert response.status_code == 303
    assert "\n" not in response.location and response.location.endswith("/approvals/")


def test_a_receipt_name_with_line_breaks_and_nul_is_stored_clean_and_downloads(login, users):
    import expense_helpers as h

    claim = h.claim(users["rep1"], "50.00", receipt=False)
    db.session.commit()
    # A browser percent-encodes CR/LF in a file name; a crafted request sends them raw through
    # RFC 2231's filename*= (which werkzeug decodes), with a NUL and a quote besides.
    name = quote(FILENAME.encode())
    body = (b"--B\r\nContent-Disposition: form-data; name=\"receipts\"; filename*=UTF-8''" + name.encode()
            + b"\r\nContent-Type: image/png\r\n\r\n" + PNG + b"\r\n--B--\r\n")
    response = login("rep1").post(f"/expenses/claims/{claim.id}/receipts", data=body,
                                  content_type="multipart/form-data; boundary=B")
    assert response.status_code == 303
    receipt = db.session.scalar(select(Receipt).where(Receipt.doc_type == "expense", Receipt.doc_id == claim.id))
    assert receipt.filename == "r eceipt .png"
    download = login("manager").get(f"/expenses/receipts/{receipt.id}")
    assert download.status_code == 200 and "\n" not in download.headers["Content-Disposition"]


def test_money_typed_with_an_ime_is_normalised_other_digits_refused():
    assert str(parse_amount("１２３．５")) == "123.50"
    assert str(parse_amount("￥１，２３４")) == "1234.00"
    for bad in ("١٢٣", "NaN", "Infinity", "1e309", "-0", "²"):
        with pytest.raises(ValueError):
            parse_amount(bad)


def test_clean_text_keeps_what_was_typed():
    assert clean_text("上海，（测试）😀\u202eעברית\tx") == "上海，（测试）😀\u202eעברית\tx"
    assert clean_text("a\r\nb\rc\x0bd\x00e\x1ff") == "a\nb\nc\ndef"


# ---- 4: PostgreSQL: NUL bytes, lengths, the error page after a failed write --------------------

@pytest.mark.postgres
def test_postgres_nul_in_login_and_search_is_no_error(pg_app):
    client = pg_app.test_client()
    assert client.post("/login", data={"username": "nobody\x00", "password": "x\x00"}).status_code == 200
    assert client.post("/login", data={"username": "rep1", "password": "demo123"}).status_code == 303
    for url in ("/customers/?q=a%00b", "/expenses/?q=a%00b&month=%00", "/returns/?q=%00"):
        assert client.get(url).status_code == 200, url


@pytest.mark.postgres
def test_postgres_a_too_long_name_is_refused_next_to_the_field(pg_app):
    client = pg_app.test_client()
    client.post("/login", data={"username": "rep1", "password": "demo123"})
    response = client.post("/expenses/claims/new", data=_claim_data("长" * 300))
    assert response.status_code == 200
    assert "120" in response.get_data(as_text=True)


def test_the_customer_import_preview_refuses_a_name_too_long_for_the_column(login, users):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["客户名称", "类型", "阶段", "区域", "负责人", "联系人", "电话", "税号", "信用额度", "回访周期（天）", "备注"])
    wb.active.append(["名" * 210, "经销商", "意向", "", "rep1", "王", "021", "", "0", 30, ""])
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    response = login("manager").post("/customers/import", data={"file": (buf, "c.xlsx")},
                                     content_type="multipart/form-data")
    assert response.status_code == 200
    assert "客户名称过长" in response.get_data(as_text=True)


def _failing_write_view():
    """Writes a row the database refuses, after the signed-in user was loaded (as real views do)."""
    from flask_login import current_user

    user = current_user._get_current_object()
    db.session.add(Customer(name=None, owner_id=user.id))
    db.session.expire(user)  # the error page must load the user again, from a broken transaction
    db.session.flush()


@pytest.mark.parametrize("backend", ["app", "pg_app"])
def test_the_error_page_after_a_failed_write_has_the_security_headers(request, backend):
    if backend == "pg_app":
        request.applymarker(pytest.mark.postgres)
    flask_app = request.getfixturevalue(backend)
    flask_app.config["PROPAGATE_EXCEPTIONS"] = False
    flask_app.add_url_rule("/test-failing-write", "test_failing_write", _failing_write_view, methods=["POST"])
    client = flask_app.test_client()
    client.post("/login", data={"username": "rep1", "password": "demo123"})
    response = client.post("/test-failing-write")
    assert response.status_code == 500
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Frame-Options"] == "DENY"
    body = response.get_data(as_text=True)
    assert "系统出错" in body and "<nav" in body or "返回工作台" in body
    assert client.get("/rep/").status_code == 200  # the next request works normally


def test_user_text_inside_a_message_is_escaped(login, users):
    rep = login("rep1")
    name = "<b id=hostile>x</b>"
    rep.post("/customers/new", data={"name": name, "kind": "distributor", "stage": "potential",
                                     "callback_interval_days": "30", "credit_limit": "0"})
    response = rep.post("/customers/new", data={"name": name, "kind": "distributor", "stage": "potential",
                                                "callback_interval_days": "30", "credit_limit": "0"})
    assert name not in response.get_data(as_text=True)



