"""Advances (借款) and promotion budgets (促销活动费用), the spend reports and the desk cards."""

import json
from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO

import expense_helpers as h
import pytest
import time_machine
from openpyxl import load_workbook

from intranet.clock import SHANGHAI
from intranet.extensions import db
from intranet.models import Advance, Promotion
from intranet.services import advances, approvals, expenses, promotions
from intranet.services.errors import DomainError, Forbidden

TODAY = h.today_local


# ---- advances -------------------------------------------------------------------------------------

def test_advance_lifecycle(users, login):
    rep1 = users["rep1"]
    adv = advances.save(rep1, None, amount=Decimal("2000.00"), purpose="苏州出差", trip_start=TODAY(),
                        trip_end=TODAY() + timedelta(days=3))
    with pytest.raises(DomainError, match="结束日期"):
        advances.save(rep1, adv, amount=Decimal("1.00"), purpose="x", trip_start=TODAY(),
                      trip_end=TODAY() - timedelta(days=1))
    request = advances.submit(rep1, adv)
    assert [s["role"] or s["approver_kind"] for s in request.steps] == ["line_manager", "manager"]
    h.approve_all(request, users["supervisor1"], users["manager"])
    assert adv.status == "approved" and adv.outstanding == 0
    with pytest.raises(Forbidden):
        advances.pay_out(users["assistant"], adv)
    advances.pay_out(users["finance"], adv)
    assert adv.outstanding == Decimal("2000.00")
    doc = h.approved_claim(users, "rep1", "1500.00")
    expenses.pay_claim(users["assistant"], doc, "offset")
    assert adv.outstanding == Decimal("500.00") and doc.cash_amount == 0
    with pytest.raises(DomainError, match="不能超过"):
        advances.record_return(users["finance"], adv, Decimal("500.01"))
    advances.record_return(users["finance"], adv, Decimal("500.00"))
    assert adv.status == "settled" and adv.outstanding == 0
    db.session.commit()
    page = login("rep1").get(f"/expenses/advances/{adv.id}").get_data(as_text=True)
    assert "已结清" in page and "报销冲销" in page and "归还财务" in page


def test_outstanding_per_person_visibility(login):
    for who, status in (("assistant", 200), ("finance", 200), ("manager", 200), ("rep1", 403), ("supervisor1", 403)):
        response = login(who).get("/expenses/advances/outstanding")
        assert response.status_code == status
        if status == 200:
            assert "郑爽" in response.get_data(as_text=True) and "¥3,000.00" in response.get_data(as_text=True)
    response = login("finance").get("/expenses/advances/outstanding?format=xlsx")
    ws = load_workbook(BytesIO(response.data)).active
    assert ws.cell(2, 1).value == "郑爽" and Decimal(str(ws.cell(2, 4).value)) == Decimal("3000")


def test_advance_web_form_and_finance_buttons(login, users):
    client = login("rep2")
    data = {"amount": "1.234", "purpose": "广州", "trip_start": TODAY().isoformat(), "trip_end": TODAY().isoformat()}
    page = client.post("/expenses/advances/new", data=data).get_data(as_text=True)
    assert "金额最多两位小数" in page and db.session.scalar(db.select(db.func.count(Advance.id))) == 1
    data.update(amount="1,500", action="submit")
    assert client.post("/expenses/advances/new", data=data).status_code == 303
    adv = db.session.scalar(db.select(Advance).where(Advance.requester_id == users["rep2"].id))
    assert adv.status == "pending" and adv.amount == Decimal("1500.00")
    assert login("rep1").get(f"/expenses/advances/{adv.id}").status_code == 404
    h.approve_all(approvals.request_for("advance", adv.id), users["supervisor1"], users["manager"])
    db.session.commit()
    finance = login("finance")
    assert "登记已付款" in finance.get(f"/expenses/advances/{adv.id}").get_data(as_text=True)
    assert finance.post(f"/expenses/advances/{adv.id}/pay").status_code == 303
    page = finance.post(f"/expenses/advances/{adv.id}/return", data={"amount": "-5"}).get_data(as_text=True)
    assert "金额不能为负数" in page
    assert finance.post(f"/expenses/advances/{adv.id}/return", data={"amount": "1500"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Advance, adv.id).status == "settled"


# ---- promotions -------------------------------------------------------------------------------------

def _promotion(users, who="rep1", budget=("800.00", "700.00")):
    p = promotions.save(users[who], None, activity="门店促销", location="杭州", starts_on=TODAY(),
                        ends_on=TODAY(), plan="买赠", lines=[{"item": f"项目{i}", "amount": Decimal(a)}
                                                            for i, a in enumerate(budget)])
    h.approve_through(promotions.submit(users[who], p))
    assert p.status == "approved"
    return p


def test_write_off_within_budget(users):
    p = _promotion(users)
    promotions.save_writeoff(users["rep1"], p, lines=[{"item": "场地", "amount": Decimal("1400.00")}], note="")
    with pytest.raises(DomainError, match="票据"):
        promotions.submit_writeoff(users["rep1"], p)
    promotions.attach_receipt(users["rep1"], p, "r.png", h.PNG)
    request = promotions.submit_writeoff(users["rep1"], p)
    assert [s["approver_kind"] for s in request.steps] == ["line_manager"]
    h.approve_all(request, users["supervisor1"])
    assert p.writeoff_status == "approved" and p.gap == Decimal("-100.00")


def test_over_budget_write_off_needs_the_next_level(users, login):
    p = _promotion(users)
    promotions.save_writeoff(users["rep1"], p, lines=[{"item": "场地", "amount": Decimal("1000.00")},
                                                      {"item": "礼品", "amount": Decimal("650.00")}], note="超支")
    promotions.attach_receipt(users["rep1"], p, "r.png", h.PNG)
    request = promotions.submit_writeoff(users["rep1"], p)
    assert [s["role"] or s["approver_kind"] for s in request.steps] == ["line_manager", "manager"]
    h.approve_all(request, users["supervisor1"])
    assert p.writeoff_status == "pending"
    h.approve_all(request, users["manager"])
    assert p.writeoff_status == "approved" and p.gap == Decimal("150.00")
    db.session.commit()
    page = login("supervisor1").get(f"/expenses/promotions/{p.id}").get_data(as_text=True)
    assert "¥1,500.00" in page and "¥1,650.00" in page and "¥150.00" in page


def test_far_over_budget_needs_the_director(users):
    p = _promotion(users, budget=("9000.00",))
    promotions.save_writeoff(users["rep1"], p, lines=[{"item": "展会", "amount": Decimal("12000.00")}], note="")
    promotions.attach_receipt(users["rep1"], p, "r.png", h.PNG)
    request = promotions.submit_writeoff(users["rep1"], p)
    assert [s["role"] or s["approver_kind"] for s in request.steps] == ["line_manager", "manager", "director"]


def test_promotion_web_forms(login, users):
    client = login("rep2")
    data = {"activity": "新品推介", "location": "苏州", "starts_on": TODAY().isoformat(),
            "ends_on": TODAY().isoformat(), "plan": "", "lines-0-item": "场地", "lines-0-amount": "abc",
            "action": "submit"}
    page = client.post("/expenses/promotions/new", data=data).get_data(as_text=True)
    assert "金额格式不正确" in page
    data["lines-0-amount"] = "600"
    assert client.post("/expenses/promotions/new", data=data).status_code == 303
    p = db.session.scalar(db.select(Promotion).where(Promotion.owner_id == users["rep2"].id))
    h.approve_all(approvals.request_for("promotion", p.id), users["supervisor1"])
    db.session.commit()
    page = client.get(f"/expenses/promotions/{p.id}/writeoff").get_data(as_text=True)
    assert 'value="场地"' in page  # the budget lines prefill the write-off
    response = client.post(f"/expenses/promotions/{p.id}/writeoff", data={
        "lines-0-item": "场地", "lines-0-amount": "700", "note": "", "action": "submit",
        "receipts": (BytesIO(h.PNG), "r.png")}, content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.expire_all()
    p = db.session.get(Promotion, p.id)
    assert p.writeoff_status == "pending" and p.actual_total == Decimal("700.00")
    assert login("rep1").get(f"/expenses/promotions/{p.id}").status_code == 404
    assert login("supervisor1").get(f"/expenses/promotions/{p.id}").status_code == 200


# ---- reports and desks -----------------------------------------------------------------------------------

def test_spend_report_and_chart(login, users):
    doc = h.approved_claim(users, "rep1", "300.00")
    expenses.pay_claim(users["assistant"], doc, "petty_cash")
    h.approved_claim(users, "rep3", "45.50")
    db.session.commit()
    response = login("manager").get("/expenses/reports")
    page = response.get_data(as_text=True)
    data = json.loads(page.split('id="spend-chart-data">', 1)[1].split("</script>", 1)[0])
    month = f"{TODAY():%Y-%m}"
    assert data["labels"][-1] == month
    travel = next(d for d in data["datasets"] if d["label"] == "差旅")
    assert travel["data"][-1] == "702.00"  # 300.00 + 45.50 + the demo claim's 356.50 (approved)
    assert "周杰" in page and "华东区" in page
    # petty-cash disbursements count too (the demo's ¥823.00 of courier and printing)
    courier = next(d for d in data["datasets"] if d["label"] == "快递")
    assert courier["data"][-1] == "23.00"
    # a supervisor sees their team only
    sup = login("supervisor2").get("/expenses/reports").get_data(as_text=True)
    assert "郑爽" in sup and "周杰" not in sup
    assert login("rep1").get("/expenses/reports").status_code == 403
    xlsx = login("finance").get("/expenses/reports?format=xlsx")
    wb = load_workbook(BytesIO(xlsx.data))
    assert {"按人员", "按类别", "按区域", "按月份", "促销预算与实际", "未结清借款"} <= set(wb.sheetnames)


def test_desk_cards(login):
    manager = login("manager").get("/manager/").get_data(as_text=True)
    assert 'data-chart="bar"' in manager and "vendor/chart-4.5.1.umd.min." in manager and "js/charts." in manager
    assert "<script>" not in manager  # data travels as JSON, drawn by a static file (CSP: no inline JS)
    assistant = login("assistant").get("/assistant/").get_data(as_text=True)
    assert "¥4,177.00" in assistant and "待财务复核" in assistant
    finance = login("finance").get("/finance/").get_data(as_text=True)
    assert "备用金待复核" in finance and "待付借款" not in finance  # the demo advance is already paid
    rep = login("rep1").get("/rep/").get_data(as_text=True)
    assert "我的报销" in rep and "上海客户拜访差旅" in rep


def test_write_off_waits_for_the_activity_to_end(users, login):
    p = promotions.save(users["rep1"], None, activity="展会", location="上海", starts_on=TODAY(),
                        ends_on=TODAY() + timedelta(days=3), plan="", lines=[{"item": "展位", "amount": Decimal("500")}])
    h.approve_through(promotions.submit(users["rep1"], p))
    promotions.save_writeoff(users["rep1"], p, lines=[{"item": "展位", "amount": Decimal("480.00")}], note="")
    promotions.attach_receipt(users["rep1"], p, "r.png", h.PNG)
    with pytest.raises(DomainError, match="才结束"):  # drafting the actuals is fine, sending them is not
        promotions.submit_writeoff(users["rep1"], p)
    assert p.writeoff_status == "draft" and approvals.request_for("promotion_writeoff", p.id) is None
    db.session.commit()
    rep1 = login("rep1")
    page = rep1.post(f"/expenses/promotions/{p.id}/submit", data={"what": "writeoff"}, follow_redirects=True)
    assert "才结束" in page.get_data(as_text=True)
    assert approvals.request_for("promotion_writeoff", p.id) is None
    with time_machine.travel(datetime.combine(p.ends_on, datetime.min.time()).replace(hour=18, tzinfo=SHANGHAI)):
        assert promotions.submit_writeoff(users["rep1"], p) is not None  # the last day itself counts
