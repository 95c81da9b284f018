"""The sample pages through the test client: scope per record, the four-eyes check in the UI, bad input
next to its field (and nothing saved), registers as page, Excel and print, and the demo on any day."""

from datetime import datetime
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook
from sample_helpers import approved_request, item_fixture  # noqa: F401 (the item fixture)
from sqlalchemy import func, select

from intranet.clock import SHANGHAI, month_of, today_local
from intranet.extensions import db
from intranet.models import Mailing, SampleItem, SampleRequest, StockDoc
from intranet.services import samples as svc


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_issuer_sees_no_check_button_and_cannot_check_by_post(app, users, login, item):
    doc = approved_request(users, lines=[(item, 5)])
    client = login("assistant")
    response = client.post(f"/samples/requests/{doc.id}/issue", data={f"line_{doc.lines[0].id}": "5"})
    assert response.status_code == 303
    issue = db.session.scalar(select(StockDoc).where(StockDoc.request_id == doc.id))
    page = client.get(f"/samples/docs/{issue.id}").get_data(as_text=True)
    assert 'id="check-doc"' not in page and "双人复核" in page
    refused = client.post(f"/samples/docs/{issue.id}/check")
    assert refused.status_code == 409 and "经办人不能复核" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SampleItem, item.id).on_hand == 100
    manager = login("manager")
    assert 'id="check-doc"' in manager.get(f"/samples/docs/{issue.id}").get_data(as_text=True)
    assert manager.post(f"/samples/docs/{issue.id}/check").status_code == 303
    db.session.expire_all()
    assert db.session.get(SampleItem, item.id).on_hand == 95


@pytest.mark.parametrize("typed, message", [("0", "数量必须大于零"), ("-5", "数量必须是正整数"), ("1e9", "数量必须是正整数"),
                                            ("999999999", "数量过大")])
def test_request_form_bad_quantity_message_next_to_the_field(app, users, login, item, typed, message):
    customer = svc.own_customers(users["rep1"])[0]
    before = _count(SampleRequest)
    response = login("rep1").post("/samples/requests/new", data={
        "customer_id": customer.id, "purpose": "拜访", "lines-0-item_id": item.id, "lines-0-quantity": typed},
        headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    cell = html.split('name="lines-0-quantity"', 1)[1].split("</td>", 1)[0]
    assert message in cell
    assert _count(SampleRequest) == before


def test_issue_beyond_stock_names_the_shortfall_next_to_the_line(app, users, login):
    from sample_helpers import stocked_item

    few = stocked_item(users, code="T-FEW", quantity=4)
    doc = approved_request(users, lines=[(few, 6)])
    client = login("assistant")
    page = client.get(f"/samples/requests/{doc.id}/issue").get_data(as_text=True)
    assert "缺 2" in page and "登记缺货并报告主管" in page
    response = client.post(f"/samples/requests/{doc.id}/issue", data={f"line_{doc.lines[0].id}": "6"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "库存不足" in html.split(f'name="line_{doc.lines[0].id}"', 1)[1]
    assert _count(StockDoc) == db.session.scalar(select(func.count()).select_from(StockDoc))
    assert client.post(f"/samples/requests/{doc.id}/shortage").status_code == 303
    assert "T-FEW" in client.get("/samples/shortages").get_data(as_text=True) or \
        few.name in client.get("/samples/shortages").get_data(as_text=True)


def test_mailing_form_500_character_tracking_number(app, users, login):
    customer = svc.own_customers(users["rep1"])[0]
    before = _count(Mailing)
    response = login("assistant").post("/samples/mailings/new", data={
        "customer_id": customer.id, "contents": "彩页", "method": "courier", "carrier": "顺丰", "tracking_no": "9" * 500,
        "sent_on": today_local().isoformat(), "cost": "12", "recipient": "王经理"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "运单号应为" in html.split('name="tracking_no"', 1)[1].split('class="field', 1)[0]
    assert _count(Mailing) == before
    bad_cost = login("assistant").post("/samples/mailings/new", data={
        "customer_id": customer.id, "contents": "彩页", "method": "hand", "sent_on": today_local().isoformat(),
        "cost": "-5", "recipient": "王经理"}).get_data(as_text=True)
    assert "金额不能为负数" in bad_cost


def test_records_are_scoped(app, users, login, item):
    doc = approved_request(users, lines=[(item, 2)])
    assert login("rep2").get(f"/samples/requests/{doc.id}").status_code == 404
    assert login("supervisor2").get(f"/samples/requests/{doc.id}").status_code == 404
    assert login("supervisor1").get(f"/samples/requests/{doc.id}").status_code == 200
    assert login("finance").get(f"/samples/requests/{doc.id}").status_code == 403
    assert doc.number not in login("rep2").get("/samples/requests").get_data(as_text=True)
    other = users["rep3"].id
    assert login("rep1").get(f"/samples/register/issues?rep={other}").status_code == 404
    assert login("rep1").get(f"/samples/on-loan?rep={other}").status_code == 404


def test_registers_page_excel_and_print(app, users, login, item):
    doc = approved_request(users, lines=[(item, 7)])
    svc.check(users["manager"], svc.issue(users["assistant"], doc, {doc.lines[0].id: "7"}))
    db.session.commit()
    month = month_of(today_local())
    client = login("manager")
    page = client.get(f"/samples/register/issues?month={month}").get_data(as_text=True)
    assert doc.number in page and "按业务员" in page and "按客户" in page
    xlsx = client.get(f"/samples/register/issues?month={month}&format=xlsx")
    rows = list(load_workbook(BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert any(r[3] == doc.number and r[10] == 7 for r in rows[1:])
    printed = client.get(f"/samples/register/issues?month={month}&format=print").get_data(as_text=True)
    assert "样品物料领用发放登记表" in printed and doc.number in printed
    assert client.get(f"/samples/register/issues?month={month}&customer={doc.customer_id}").status_code == 200
    mailing = client.get(f"/samples/register/mailings?month={month}&format=xlsx")
    assert mailing.status_code == 200
    assert client.get("/samples/?format=xlsx").status_code == 200
    assert client.get("/samples/requests?format=xlsx").status_code == 200
    assert "样品物料领用单" in client.get(f"/samples/requests/{doc.id}/print").get_data(as_text=True)


def test_desks_show_the_store_and_the_checks(app, users, login, item):
    doc = approved_request(users, lines=[(item, 3)])
    assistant = login("assistant").get("/assistant/").get_data(as_text=True)
    assert "样品物料库" in assistant and doc.number in assistant
    svc.issue(users["assistant"], doc, {doc.lines[0].id: "3"})
    db.session.commit()
    manager = login("manager").get("/manager/").get_data(as_text=True)
    assert "待复核（样品物料）" in manager
    assert "我的样品领用" in login("rep1").get("/rep/").get_data(as_text=True)


@pytest.mark.parametrize("instant", [datetime(2027, 1, 1, 0, 30), datetime(2026, 11, 30, 23, 50),
                                     datetime(2027, 2, 17, 9, 0), datetime(2026, 12, 1, 8, 0)])
def test_demo_seeds_on_any_day(tmp_path, redis_url, instant):
    """1 January, the last day of a month, inside the Spring Festival holiday, the 1st of a month."""
    from intranet import create_app
    from intranet.config import TestConfig
    from intranet.demo import seed
    from intranet.models import SampleItem as Item

    with time_machine.travel(instant.replace(tzinfo=SHANGHAI), tick=False):
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'demo.db'}", REDIS_URL=redis_url,
                         RATELIMIT_STORAGE_URI=redis_url, INSTANCE_DIR=tmp_path)
        with app.app_context():
            db.create_all()
            seed()
            db.session.commit()
            assert db.session.scalar(select(func.count()).select_from(Item)) == 6
            statuses = sorted(db.session.scalars(select(SampleRequest.status)))
            assert statuses == ["issued", "partly_issued"]
            assert sorted(db.session.scalars(select(Mailing.status))) == ["confirmed", "sent"]
            assert all(m.sent_on <= today_local() for m in db.session.scalars(select(Mailing)))
            from intranet.models import Email, Todo

            assert db.session.scalar(select(func.count()).select_from(Todo).where(Todo.key.like("sample-%"))) == 0
            assert db.session.scalar(select(func.count()).select_from(Email).where(Email.key.like("sample-%"))) == 0
            assert seed() == 0 or db.session.scalar(select(func.count()).select_from(Item)) == 6
            db.session.remove()
            db.engine.dispose()


def test_a_leavers_samples_on_loan_show_on_the_user_page(app, users, login, item):
    doc = approved_request(users, rep="rep2", lines=[(item, 6)])
    svc.check(users["manager"], svc.issue(users["assistant"], doc, {doc.lines[0].id: "6"}))
    db.session.commit()
    page = login("manager").get(f"/org/users/{users['rep2'].id}").get_data(as_text=True)
    section = page.split('id="handover-samples"', 1)[1]
    assert item.name in section and doc.number in section
