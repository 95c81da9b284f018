"""Quotation and contract pages through the HTTP client: a quotation written, reviewed by the manager
(through the approval page's form), sent and converted; the contract reviewed, signed, its scan
uploaded and downloaded in scope, the original confirmed by finance, a change paper kept; wrong roles
and other teams refused; bad input answered next to its field with nothing changed; the printable
quotation; the menu and the customer page's section."""

import io
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import Product
from intranet.models.contracts import Contract, Quotation
from intranet.models.customers import Customer
from intranet.services import approvals
from intranet.services import contracts as svc

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a7f1d2e50000000049454e44ae426082")


def _customer(user):
    return db.session.scalar(select(Customer).where(Customer.owner_id == user.id).order_by(Customer.id))


def _products():
    return list(db.session.scalars(select(Product).where(Product.active).order_by(Product.id).limit(2)))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _quotation_form(customer, valid_until=None, **rows):
    p1, p2 = _products()
    data = {"customer_id": customer.id, "valid_until": (valid_until or today_local() + timedelta(days=30)).isoformat(),
            "terms": "款到发货，含税价", "lines-0-product_id": p1.id, "lines-0-quantity": "3",
            "lines-0-unit_price": "1,200.50", "lines-1-product_id": p2.id, "lines-1-quantity": "2",
            "lines-1-unit_price": "10", "lines-2-product_id": "", "lines-2-quantity": "", "lines-2-unit_price": ""}
    data.update(rows)
    return data


def _decide(client, doc_type, doc_id, action="approve", comment="同意"):
    req = approvals.request_for(doc_type, doc_id)
    db.session.expire_all()
    return client.post(f"/approvals/{req.id}/decide", data={"action": action, "comment": comment, "view": "form",
                                                            "step_index": req.current_step, "round": req.round,
                                                            "next": "/approvals/"})


def _new_quotation(rep_client, users, **rows) -> Quotation:
    response = rep_client.post("/contracts/quotations/new", data=_quotation_form(_customer(users["rep1"]), **rows))
    assert response.status_code == 303, response.get_data(as_text=True)
    return db.session.scalar(select(Quotation).order_by(Quotation.id.desc()))


def test_quotation_written_reviewed_sent_and_converted(app, users, login):
    rep = login("rep1")
    q = _new_quotation(rep, users)
    assert q.total_amount == Decimal("3621.50") and len(q.lines) == 2 and q.status == "draft"
    page = rep.get(f"/contracts/quotations/{q.id}").get_data(as_text=True)
    assert "¥3,621.50" in page and "提交评审" in page and 'id="mark-sent"' not in page

    assert rep.post(f"/contracts/quotations/{q.id}/submit").status_code == 303
    db.session.expire_all()
    assert q.status == "pending"
    manager = login("manager")
    assert "通过" in manager.get(f"/contracts/quotations/{q.id}").get_data(as_text=True)  # the decision form
    assert _decide(manager, svc.QUOTATION_TYPE, q.id).status_code == 303
    db.session.expire_all()
    assert q.status == "approved"
    history = rep.get(f"/contracts/quotations/{q.id}").get_data(as_text=True)
    assert "销售经理审核报价" in history and users["manager"].name in history

    assert rep.post(f"/contracts/quotations/{q.id}/sent").status_code == 303
    db.session.expire_all()
    assert q.status == "sent"
    response = rep.post(f"/contracts/quotations/{q.id}/convert", data={"kind": "distribution"})
    assert response.status_code == 303
    db.session.expire_all()
    contract = db.session.scalar(select(Contract).where(Contract.quotation_id == q.id))
    assert q.status == "converted" and contract.kind == "distribution"
    assert response.location.endswith(f"/contracts/{contract.id}")
    assert contract.total_amount == q.total_amount and contract.payment_terms == "款到发货，含税价"


def test_bad_quotation_input_is_answered_next_to_the_field(app, users, login):
    rep = login("rep1")
    before = _count(Quotation)
    page = rep.post("/contracts/quotations/new", data=_quotation_form(
        _customer(users["rep1"]), **{"lines-0-quantity": "0", "lines-1-unit_price": "abc"}))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "数量必须大于零" in html
    row1 = html.split('name="lines-1-unit_price"')[1].split("</td>")[0]
    assert "金额格式不正确" in row1  # each wrong row answered next to its own field
    assert _count(Quotation) == before
    expired = rep.post("/contracts/quotations/new", data=_quotation_form(
        _customer(users["rep1"]), valid_until=today_local() - timedelta(days=1))).get_data(as_text=True)
    assert "报价有效期不能早于今天" in expired and _count(Quotation) == before
    empty = rep.post("/contracts/quotations/new", data={"customer_id": _customer(users["rep1"]).id,
                                                        "valid_until": today_local().isoformat()})
    assert "请至少填写一行产品" in empty.get_data(as_text=True) and _count(Quotation) == before
    other = rep.post("/contracts/quotations/new", data=_quotation_form(_customer(users["rep2"])))
    assert "请选择自己负责的客户" in other.get_data(as_text=True) and _count(Quotation) == before


def test_quotation_edit_only_while_editable_and_scoped(app, users, login):
    rep = login("rep1")
    q = _new_quotation(rep, users)
    p1, _ = _products()
    response = rep.post(f"/contracts/quotations/{q.id}/edit", data={
        "customer_id": q.customer_id, "valid_until": q.valid_until.isoformat(), "terms": "新条款",
        "lines-0-product_id": p1.id, "lines-0-quantity": "1", "lines-0-unit_price": "99.90"})
    assert response.status_code == 303
    db.session.expire_all()
    assert q.total_amount == Decimal("99.90") and q.terms == "新条款" and len(q.lines) == 1
    assert login("rep2").get(f"/contracts/quotations/{q.id}").status_code == 404
    assert login("rep2").post(f"/contracts/quotations/{q.id}/submit").status_code == 404
    assert login("director").get("/contracts/quotations/new").status_code == 403
    assert login("finance").post(f"/contracts/quotations/{q.id}/convert").status_code == 403
    rep.post(f"/contracts/quotations/{q.id}/submit")
    locked = rep.get(f"/contracts/quotations/{q.id}/edit")
    assert locked.status_code == 303 and locked.location.endswith(f"/contracts/quotations/{q.id}")
    refused = rep.post(f"/contracts/quotations/{q.id}/convert", data={"kind": "sales"}, follow_redirects=True)
    assert "只有审核通过的报价单才能转为合同" in refused.get_data(as_text=True)
    assert _count(Contract) == 0


def test_printable_quotation(app, users, login):
    rep = login("rep1")
    q = _new_quotation(rep, users)
    page = rep.get(f"/contracts/quotations/{q.id}/print")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "销售内勤示范有限公司" in html and "¥3,621.50" in html and q.customer.name in html
    assert "报价单位（盖章）" in html and "客户确认（盖章）" in html and "未经审核" in html
    assert "quotation-print" in html and "style=" not in html and "<script" not in html
    assert login("rep2").get(f"/contracts/quotations/{q.id}/print").status_code == 404


def _contract(rep_client, users, **extra) -> Contract:
    p1, _ = _products()
    data = {"kind": "sales", "customer_id": _customer(users["rep1"]).id, "payment_terms": "签订时付定金 30%，验收后付余款",
            "delivery_terms": "合同签订后 15 日内发货", "special_clauses": "", "lines-0-product_id": p1.id,
            "lines-0-quantity": "2", "lines-0-unit_price": "5000"}
    data.update(extra)
    response = rep_client.post("/contracts/new", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return db.session.scalar(select(Contract).order_by(Contract.id.desc()))


def test_contract_reviewed_signed_scanned_and_original_confirmed(app, users, login):
    rep, manager, finance = login("rep1"), login("manager"), login("finance")
    contract = _contract(rep, users)
    assert contract.total_amount == Decimal("10000.00") and contract.status == "draft"
    refused = rep.post(f"/contracts/{contract.id}/sign", data={"signed_on": today_local().isoformat()})
    assert "合同评审通过后才能登记签订" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert contract.status == "draft" and contract.signed_on is None

    assert rep.post(f"/contracts/{contract.id}/submit").status_code == 303
    assert _decide(manager, svc.CONTRACT_TYPE, contract.id).status_code == 303
    db.session.expire_all()
    assert contract.status == "approved"
    assert "销售经理合同评审" in rep.get(f"/contracts/{contract.id}").get_data(as_text=True)

    future = rep.post(f"/contracts/{contract.id}/sign", data={"signed_on": (today_local() + timedelta(days=1)).isoformat()})
    assert future.status_code == 200 and "签订日期不能晚于今天" in future.get_data(as_text=True)
    db.session.expire_all()
    assert contract.status == "approved"
    assert rep.post(f"/contracts/{contract.id}/sign", data={"signed_on": today_local().isoformat()}).status_code == 303
    db.session.expire_all()
    assert contract.status == "signed" and contract.signed_on == today_local()

    bad = rep.post(f"/contracts/{contract.id}/scan", data={"scan": (io.BytesIO(b"plain text"), "x.txt")},
                   content_type="multipart/form-data")
    assert bad.status_code == 200 and "只能上传图片" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert contract.scan_file_id is None
    ok = rep.post(f"/contracts/{contract.id}/scan", data={"scan": (io.BytesIO(PNG), "signed.png")},
                  content_type="multipart/form-data")
    assert ok.status_code == 303
    db.session.expire_all()
    assert contract.scan_file_id is not None
    url = f"/contracts/{contract.id}/files/{contract.scan_file_id}"
    download = rep.get(url)
    assert download.status_code == 200 and download.data == PNG and "no-store" in download.headers["Cache-Control"]
    assert login("rep2").get(url).status_code == 404
    assert manager.get(url).status_code == 200

    assert rep.post(f"/contracts/{contract.id}/original").status_code == 403
    assert finance.post(f"/contracts/{contract.id}/original").status_code == 303
    db.session.expire_all()
    assert contract.original_received and contract.original_received_by_id == users["finance"].id
    assert "财务已收" in rep.get(f"/contracts/{contract.id}").get_data(as_text=True)


def test_change_papers_listed_and_downloadable_in_scope(app, users, login):
    rep = login("rep1")
    contract = _contract(rep, users)
    approvals.decide(users["manager"], svc.submit_contract(users["rep1"], contract).id, "approve", "同意")
    svc.mark_signed(users["rep1"], contract, today_local())
    db.session.commit()
    missing = rep.post(f"/contracts/{contract.id}/changes", data={"note": "交货期顺延"}, content_type="multipart/form-data")
    assert missing.status_code == 200 and "请选择要上传的文件" in missing.get_data(as_text=True)
    assert rep.post(f"/contracts/{contract.id}/changes", data={"change": (io.BytesIO(PNG), "变更.png"), "note": "交货期顺延"},
                    content_type="multipart/form-data").status_code == 303
    db.session.expire_all()
    change = contract.changes[0]
    html = rep.get(f"/contracts/{contract.id}").get_data(as_text=True)
    assert "交货期顺延" in html and "变更.png" in html
    assert rep.get(f"/contracts/{contract.id}/files/{change.file_id}").data == PNG
    other = _contract(rep, users)
    assert rep.get(f"/contracts/{other.id}/files/{change.file_id}").status_code == 404  # not that contract's paper


def test_contract_bad_input_and_wrong_roles(app, users, login):
    rep = login("rep1")
    before = _count(Contract)
    p1, _ = _products()
    page = rep.post("/contracts/new", data={"kind": "sales", "customer_id": _customer(users["rep1"]).id,
                                            "lines-0-product_id": p1.id, "lines-0-quantity": "2",
                                            "lines-0-unit_price": ""})
    assert page.status_code == 200 and "请填写单价" in page.get_data(as_text=True)
    nokind = rep.post("/contracts/new", data={"kind": "lease", "customer_id": _customer(users["rep1"]).id,
                                              "lines-0-product_id": p1.id, "lines-0-quantity": "2",
                                              "lines-0-unit_price": "1"})
    assert "请选择合同类型" in nokind.get_data(as_text=True)
    assert _count(Contract) == before
    contract = _contract(rep, users, special_clauses="质保期三年")
    assert login("gm").get("/contracts/new").status_code == 403
    assert login("rep2").get(f"/contracts/{contract.id}").status_code == 404
    assert login("rep2").post(f"/contracts/{contract.id}/submit").status_code == 404
    assert login("finance").post(f"/contracts/{contract.id}/sign").status_code == 403
    # someone else's submission is refused: only the rep submits
    refused = login("manager").post(f"/contracts/{contract.id}/submit", follow_redirects=True)
    assert "只能提交自己的单据" in refused.get_data(as_text=True)
    rep.post(f"/contracts/{contract.id}/submit")
    req = approvals.request_for(svc.CONTRACT_TYPE, contract.id)
    assert [s["role"] for s in req.steps] == ["manager", "director"]  # special clauses: the director too


def test_menu_register_reps_and_customer_section(app, users, login):
    rep = login("rep1")
    contract = _contract(rep, users)
    desk = rep.get("/rep/").get_data(as_text=True)
    assert "/contracts/quotations" in desk and 'href="/contracts/"' in desk and "报价与合同" in desk
    manager_register = login("manager").get("/contracts/").get_data(as_text=True)
    assert f'<option value="{users["rep1"].id}"' in manager_register
    assert f'<option value="{users["rep2"].id}"' not in manager_register  # rep2 has no contract
    customer_page = rep.get(f"/customers/{contract.customer_id}").get_data(as_text=True)
    assert 'id="customer-contracts"' in customer_page and contract.number in customer_page
    assert "¥10,000.00" in customer_page
    sup_page = login("manager").get(f"/customers/{contract.customer_id}").get_data(as_text=True)
    assert contract.number in sup_page


def _queries(client, url) -> int:
    from sqlalchemy import event

    counter = [0]

    def before(*args, **kwargs):
        counter[0] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return counter[0]


def test_lists_do_not_load_per_row(app, users, login):
    """The register (with its rep filter) and the quotation list cost the same for 2 or 8 records."""
    p1, _ = _products()

    def add(n):
        for i in range(n):
            rep = users["rep1" if i % 2 else "rep3"]
            line = [svc.LineInput(p1.id, 1, Decimal("10"))]
            svc.create_contract(rep, _customer(rep), line)
            svc.create_quotation(rep, _customer(rep), line, today_local())
        db.session.commit()

    manager = login("manager")
    add(2)
    few = (_queries(manager, "/contracts/"), _queries(manager, "/contracts/quotations"))
    add(6)
    assert (_queries(manager, "/contracts/"), _queries(manager, "/contracts/quotations")) == few
