"""The pages: record scope on every list/detail/file/export/print, bad input, HTMX fragments."""

from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import Product, ReturnAttachment, ReturnRequest
from intranet.services import returns as svc

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a7f1d2e50000000049454e44ae426082")
HX = {"HX-Request": "true"}


def _count():
    return db.session.scalar(select(func.count()).select_from(ReturnRequest))


def _form(product_id, **overrides):
    data = {"customer_name": "宁波甬江净水设备有限公司", "order_ref": "XS-2026-1120-0007", "reason": "quality",
            "reason_detail": "", "justification": "", "cost_split": "运费我司承担",
            "lines-0-product_id": str(product_id), "lines-0-quantity": "2", "lines-0-unit_price": "1,350.00",
            "lines-1-product_id": "", "lines-1-quantity": "", "lines-1-unit_price": ""}
    data.update(overrides)
    return data


@pytest.fixture
def rep1_return(make_return):
    doc = make_return("rep1", complaint=True, submit=False)
    return doc


def test_rep_files_a_return_and_amounts_are_computed(app, users, login, product):
    client = login("rep1")
    response = client.post("/returns/new", data=_form(product.id, **{
        "lines-1-product_id": str(product.id), "lines-1-quantity": "3", "lines-1-unit_price": "￥18.5"}))
    assert response.status_code == 303
    doc = db.session.scalars(select(ReturnRequest).order_by(ReturnRequest.id.desc())).first()
    assert doc.rep_id == users["rep1"].id and doc.status == "draft"
    assert [str(ln.amount) for ln in doc.lines] == ["2700.00", "55.50"]
    assert str(doc.total_amount) == "2755.50"
    assert doc.number.startswith("TH-") and len(doc.number) == len("TH-202611-0001")
    page = client.get(response.location).get_data(as_text=True)
    assert doc.number in page and "¥2,755.50" in page


def test_non_numeric_quantity_is_refused_next_to_the_field(app, users, login, product):
    before = _count()
    response = login("rep1").post("/returns/new", data=_form(product.id, **{"lines-0-quantity": "两台"}))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "数量必须是正整数" in html and 'name="lines-0-quantity"' in html
    assert _count() == before


def test_missing_justification_for_a_non_quality_reason(app, users, login, product):
    before = _count()
    response = login("rep1").post("/returns/new", data=_form(product.id, reason="wrong_goods"), headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html  # the form fragment only
    assert "非质量问题原则上不予退换，请写明特殊理由" in html
    # the message sits in the justification field's block
    block = html[html.index('name="justification"') - 400:html.index("非质量问题原则上不予退换，请写明特殊理由")]
    assert "has-error" in block
    assert _count() == before


def test_every_error_at_once_and_nothing_saved(app, users, login, product):
    before = _count()
    html = login("rep1").post("/returns/new", data=_form(
        product.id, customer_name="", reason="other", cost_split="", **{"lines-0-unit_price": "abc"})).get_data(
        as_text=True)
    for message in ("请填写客户名称", "选择“其他”时请说明退货原因", "非质量问题原则上不予退换", "请写明与客户商定的费用分担",
                    "金额格式不正确"):
        assert message in html
    assert _count() == before


def test_add_line_without_javascript_and_with_htmx(app, users, login, product):
    client, before = login("rep1"), _count()
    html = client.post("/returns/new", data={**_form(product.id), "op": "add_line"}).get_data(as_text=True)
    assert 'name="lines-2-quantity"' in html and _count() == before  # adding a line saves nothing
    row = client.get("/returns/line-row?lines-0-quantity=1&lines-4-quantity=", headers=HX).get_data(as_text=True)
    assert row.strip().startswith("<tr") and 'name="lines-5-product_id"' in row


def test_scope_rep2_cannot_see_rep1s_return(app, users, login, rep1_return):
    doc = rep1_return
    client = login("rep1")
    upload = client.post(f"/returns/{doc.id}/attachments", data={"files": (BytesIO(PNG), "坏件.png")},
                         content_type="multipart/form-data")
    assert upload.status_code == 303
    att = db.session.scalars(select(ReturnAttachment).where(ReturnAttachment.return_id == doc.id)
                             .order_by(ReturnAttachment.id.desc())).first()
    assert att.filename == "坏件.png" and att.content_type == "image/png"
    assert client.get(f"/returns/{doc.id}/attachments/{att.id}").data == PNG

    other = login("rep2")
    assert doc.number not in other.get("/returns/", headers=HX).get_data(as_text=True)
    assert "没有符合条件的退货申请" in other.get(f"/returns/?q={doc.number}", headers=HX).get_data(as_text=True)
    for url in (f"/returns/{doc.id}", f"/returns/{doc.id}/print", f"/returns/{doc.id}/attachments/{att.id}"):
        assert other.get(url).status_code == 404, url
    assert other.get(f"/returns/{doc.id}/edit").status_code == 404
    assert other.post(f"/returns/{doc.id}/submit").status_code == 404
    wb = load_workbook(BytesIO(other.get("/returns/?format=xlsx").data))
    assert doc.number not in [row[0] for row in wb.active.iter_rows(values_only=True)]
    # supervisor1 leads rep1 and sees it; supervisor2 does not
    assert login("supervisor1").get(f"/returns/{doc.id}").status_code == 200
    assert login("supervisor2").get(f"/returns/{doc.id}").status_code == 404
    assert doc.number not in login("supervisor2").get("/returns/", headers=HX).get_data(as_text=True)
    # finance does not see a return under sign-off (SPEC 2.6: from the refund stage on)
    finance = login("finance")
    assert finance.get(f"/returns/{doc.id}").status_code == 404
    assert doc.number not in finance.get("/returns/", headers=HX).get_data(as_text=True)


def test_attachment_of_another_return_is_not_served_through_this_one(app, users, login, rep1_return, make_return):
    mine = make_return("rep2", submit=False)
    client = login("rep2")
    client.post(f"/returns/{mine.id}/attachments", data={"files": (BytesIO(PNG), "a.png")},
                content_type="multipart/form-data")
    theirs = db.session.scalars(select(ReturnAttachment).where(ReturnAttachment.return_id == rep1_return.id)).first()
    if theirs is None:
        login("rep1").post(f"/returns/{rep1_return.id}/attachments", data={"files": (BytesIO(PNG), "b.png")},
                           content_type="multipart/form-data")
        theirs = db.session.scalars(select(ReturnAttachment)
                                    .where(ReturnAttachment.return_id == rep1_return.id)).first()
    assert client.get(f"/returns/{mine.id}/attachments/{theirs.id}").status_code == 404


def test_upload_checks_type_and_size(app, users, login, rep1_return):
    client = login("rep1")
    before = len(rep1_return.attachments)
    fake = client.post(f"/returns/{rep1_return.id}/attachments", headers=HX,
                       data={"files": [(BytesIO(PNG), "ok.png"), (BytesIO(b"MZ\x90\x00evil"), "photo.jpg")]},
                       content_type="multipart/form-data")
    html = fake.get_data(as_text=True)
    assert fake.status_code == 200 and "不是图片" in html and "<html" not in html
    db.session.expire_all()
    assert len(db.session.get(ReturnRequest, rep1_return.id).attachments) == before  # all or nothing
    app.config["UPLOAD_MAX_BYTES"] = 100
    big = client.post(f"/returns/{rep1_return.id}/attachments", data={"files": (BytesIO(PNG + b"0" * 200), "big.png")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "超过" in big.get_data(as_text=True)


def test_list_filters_export_and_pagination(app, users, login, make_return):
    for _ in range(3):
        make_return("rep1", reason="other", complaint=False, submit=False, customer_name="温州瓯江水务")
    client = login("manager")
    html = client.get("/returns/?reason=other", headers=HX).get_data(as_text=True)
    assert "<html" not in html and html.count("温州瓯江水务") == 3 and "杭州清源" not in html
    assert "温州瓯江水务" not in client.get(f"/returns/?reason=other&rep={users['rep3'].id}").get_data(as_text=True)
    assert client.get("/returns/?status=closed").get_data(as_text=True).count("苏州恒润") == 1
    app.config["PAGE_SIZE"] = 2
    pages = -(-db.session.scalar(select(func.count()).select_from(ReturnRequest)) // 2)
    assert pages >= 3 and f"第 1 / {pages} 页" in client.get("/returns/").get_data(as_text=True)
    wb = load_workbook(BytesIO(client.get("/returns/?reason=other&format=xlsx").data))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "单号" and len(rows) == 4 and rows[1][10] == 2700


def test_list_query_count_does_not_grow_with_rows(app, users, login, make_return, count_queries):
    client = login("manager")
    db.session.expire_all()
    with count_queries() as few:
        assert client.get("/returns/").status_code == 200
    for name in ("rep1", "rep2", "rep3", "rep4", "supervisor1", "director"):
        make_return(name, submit=False)
    db.session.expire_all()
    with count_queries() as many:
        assert client.get("/returns/").status_code == 200
    assert many[0] == few[0] <= 6


def test_register_page_excel_and_desk_chart(app, users, login):
    client = login("director")
    html = client.get("/returns/register?from=2026-01&to=2026-12").get_data(as_text=True)
    assert "苏州恒润酒店管理有限公司" in html and "杭州清源水处理设备有限公司" in html
    assert "广州珠江" not in html  # not signed yet: not in the register
    assert 'data-chart-data="returns-chart-data"' in html and "<script>" not in html
    wb = load_workbook(BytesIO(client.get("/returns/register?from=2026-01&to=2026-12&format=xlsx").data))
    assert wb.sheetnames == ["退货台帐", "按月", "按原因", "按客户", "按业务员", "按产品"]
    desk = client.get("/director/").get_data(as_text=True)
    assert "returns-chart-card-data" in desk and "vendor/chart-4.5.1.umd.min." in desk
    # a rep's register holds only their own returns
    assert "苏州恒润" not in login("rep1").get("/returns/register?from=2026-01&to=2026-12").get_data(as_text=True)


def test_print_shows_signatures_and_complaint(app, users, login, make_return, sign):
    doc = make_return("rep1")
    sign(doc, "supervisor1", "director", "gm")
    html = login("assistant").get(f"/returns/{doc.id}/print").get_data(as_text=True)
    for name, role in (("刘洋", "销售主管"), ("李志强", "销售总监"), ("王建国", "总经理"), ("周杰", "销售代表")):
        assert name in html and role in html
    assert html.count('class="signature sig-approve"') == 3
    assert "品质投诉单" in html and "同意退回检测" in html and "赵敏" in html
    assert "<script" not in html


@pytest.mark.calendar
def test_tracking_forms_through_the_web(app, users, login, make_return, sign):
    today = today_local()
    shipped, received, refunded = (str(today - timedelta(days=n)) for n in (3, 1, 0))
    doc = make_return("rep1", qty=4)
    sign(doc, "supervisor1", "director", "gm")
    assistant = login("assistant")
    assert assistant.post(f"/returns/{doc.id}/notify", data={"note": "已电话通知"}, headers=HX).headers["HX-Redirect"]
    assert assistant.post(f"/returns/{doc.id}/ship", data={"carrier": "顺丰", "tracking_no": "SF1",
                                                          "shipped_on": shipped}).status_code == 303
    line = doc.lines[0]
    too_many = assistant.post(f"/returns/{doc.id}/receive", headers=HX,
                              data={f"line_{line.id}": "5", "received_on": received, "note": ""})
    html = too_many.get_data(as_text=True)
    assert too_many.status_code == 200 and "超过批准退货数量 4" in html and "<html" not in html
    assert assistant.post(f"/returns/{doc.id}/close").status_code == 409
    assert assistant.post(f"/returns/{doc.id}/receive", data={f"line_{line.id}": "4", "received_on": received,
                                                             "note": ""}).status_code == 303
    finance = login("finance")
    bad = finance.post(f"/returns/{doc.id}/refund", data={"kind": "credit", "amount": "abc", "on": refunded,
                                                          "reference": ""})
    assert bad.status_code == 200 and "金额格式不正确" in bad.get_data(as_text=True)
    assert finance.post(f"/returns/{doc.id}/refund", data={"kind": "credit", "amount": "5,400.00", "on": refunded,
                                                          "reference": "红字 01"}).status_code == 303
    assert assistant.post(f"/returns/{doc.id}/close").status_code == 303
    db.session.expire_all()
    assert db.session.get(ReturnRequest, doc.id).status == "closed"


def test_demo_seed_is_idempotent(app, users):
    from intranet.returns.demo import seed_returns

    assert seed_returns(users) == 0
    statuses = sorted(d.status for d in db.session.scalars(select(ReturnRequest)))
    assert statuses == ["closed", "pending", "pending", "received", "rejected", "returned", "shipped"]
    assert db.session.scalar(select(func.count()).select_from(Product)) >= 10


def test_the_approval_inbox_drawer_summarises_a_return(app, users, login, make_return):
    doc = make_return("rep1", reason="transit_damage")
    req = svc.approval_request(doc)
    html = login("supervisor1").get(f"/approvals/{req.id}", headers=HX).get_data(as_text=True)
    assert doc.number in html and str(svc.NOT_IN_PRINCIPLE) in html and "特殊理由" in html and "已填写（赵敏）" in html
    assert f"/returns/{doc.id}" in html
    assert "approve" in html  # the decision form is there for the reviewer


def test_customer_links_to_the_reps_own_archive_entry_only(app, users, login, product):
    from intranet.models import Customer

    own = Customer(name="绍兴越州水务有限公司", owner_id=users["rep1"].id)
    theirs = Customer(name="台州椒江环保设备有限公司", owner_id=users["rep2"].id)
    db.session.add_all([own, theirs])
    db.session.commit()
    client = login("rep1")
    assert '<option value="绍兴越州水务有限公司">' in client.get("/returns/new").get_data(as_text=True)
    assert "台州椒江" not in client.get("/returns/new").get_data(as_text=True)
    for name, expected in ((own.name, own.id), (theirs.name, None)):
        assert client.post("/returns/new", data=_form(product.id, customer_name=name)).status_code == 303
        doc = db.session.scalars(select(ReturnRequest).order_by(ReturnRequest.id.desc())).first()
        assert (doc.customer_name, doc.customer_id) == (name, expected)


def test_edit_submit_and_withdraw_through_the_web(app, users, login, make_return, product):
    doc = make_return("rep1", submit=False)
    client = login("rep1")
    html = client.get(f"/returns/{doc.id}/edit").get_data(as_text=True)
    assert 'value="测试客户有限公司"' in html and 'name="lines-1-quantity"' in html  # one blank row to add to
    assert client.post(f"/returns/{doc.id}/edit", data=_form(product.id, **{"lines-0-quantity": "7"})).status_code == 303
    db.session.expire_all()
    doc = db.session.get(ReturnRequest, doc.id)
    assert doc.lines[0].quantity == 7 and str(doc.total_amount) == "9450.00"
    assert client.post(f"/returns/{doc.id}/submit", headers=HX).headers["HX-Redirect"] == f"/returns/{doc.id}"
    db.session.expire_all()
    assert db.session.get(ReturnRequest, doc.id).status == "pending"
    assert client.get(f"/returns/{doc.id}/edit").status_code == 409  # under way: no edits
    assert login("supervisor1").get(f"/returns/{doc.id}/edit").status_code == 403  # never someone else's
    assert client.post(f"/returns/{doc.id}/withdraw").status_code == 303
    db.session.expire_all()
    assert db.session.get(ReturnRequest, doc.id).status == "withdrawn"
