"""The partner register (合作单位): kept by the assistant and the manager, searchable by everyone; its
active carriers are offered on the mailing and shipment forms, free text still allowed."""

from sqlalchemy import func, select

from intranet.extensions import db
from intranet.models import Partner


def test_the_assistant_adds_a_carrier_and_the_mailing_form_offers_it(app, users, login):
    assistant = login("assistant")
    response = assistant.post("/office/partners/new", data={
        "name": "中通快递华东分拨", "kind": "carrier", "region_id": users["rep1"].region_id, "contact": "孙经理",
        "phone": "0571-8123 4567", "active": "y"})
    assert response.status_code == 303
    partner = db.session.scalar(select(Partner).where(Partner.name == "中通快递华东分拨"))
    assert partner.active and partner.region_id == users["rep1"].region_id
    html = assistant.get("/samples/mailings/new").get_data(as_text=True)
    assert 'list="carrier-list"' in html and '<option value="中通快递华东分拨">' in html
    listed = login("rep2").get("/office/partners?q=孙经理").get_data(as_text=True).split('id="list"', 1)[1]
    assert "中通快递华东分拨" in listed and "浙江省水质检测中心" not in listed
    # switched off: no longer offered
    assert assistant.post(f"/office/partners/{partner.id}", data={"name": "中通快递华东分拨", "kind": "carrier"}
                          ).status_code == 303
    db.session.expire_all()
    assert db.session.get(Partner, partner.id).active is False
    assert '<option value="中通快递华东分拨">' not in assistant.get("/samples/mailings/new").get_data(as_text=True)


def test_only_the_keepers_edit_and_bad_input_stays_beside_the_fields(app, users, login):
    assert login("rep1").post("/office/partners/new", data={"name": "x", "kind": "carrier"}).status_code == 403
    assert login("finance").get("/office/partners").status_code == 200
    before = db.session.scalar(select(func.count(Partner.id)))
    html = login("manager").post("/office/partners/new", data={"name": "", "kind": "bogus", "phone": "1" * 50},
                                 headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "请填写单位名称" in html and "请选择类别" in html and "不能超过 40 个字" in html
    assert db.session.scalar(select(func.count(Partner.id))) == before
    export = login("rep1").get("/office/partners?format=xlsx")
    assert export.status_code == 200 and export.mimetype.endswith("sheet")
    from io import BytesIO

    from openpyxl import load_workbook
    names = [row[0] for row in load_workbook(BytesIO(export.get_data())).active.iter_rows(values_only=True)]
    assert "德邦物流" in names and "华南快运" in names
