"""The performance sheet (《合同履行一览表》, issue 19): every order, shipment, invoice, payment and entry since
the contract took effect, from the records, with running figures and what is still to go; who sees it; the
contract on orders and allocations; the entries are append-only."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import Contact, ContractEvent, Customer, Email, Product
from intranet.services import (
    approvals,
    contracts,
    invoices,
    orders,
    payments,
    receivables,
    shipments,
    stock,
)
from intranet.services import contract_performance as perf
from intranet.services.contract_performance import ContractEventsAreAppendOnly
from intranet.services.errors import AlreadyDecided, DomainError, Forbidden

SH = ZoneInfo("Asia/Shanghai")
START = date(2026, 11, 18)  # the frozen test day
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a7f1d2e50000000049454e44ae426082")
D = Decimal


def _go(clock, days: int) -> date:
    clock.move_to(datetime.combine(START + timedelta(days=days), time(10), SH))
    assert today_local() == START + timedelta(days=days)
    return today_local()


def _product(code) -> Product:
    return db.session.scalar(select(Product).where(Product.code == code))


def _customer(users, rep="rep1", index=0) -> Customer:
    return db.session.scalars(select(Customer).where(Customer.owner_id == users[rep].id)
                              .order_by(Customer.id)).all()[index]


def _contract(users, customer, lines, *, sign=True, rep="rep1"):
    made = contracts.create_contract(users[rep], customer, [contracts.LineInput(_product(code).id, qty, D(price))
                                                            for code, qty, price in lines])
    req = contracts.submit_contract(users[rep], made)
    approvals.decide(users["manager"], req.id, "approve", "同意")
    if sign:
        contracts.mark_signed(users[rep], made, today_local())
    db.session.commit()
    return made


def _fields(customer, contract=None):
    return {"customer": customer, "delivery_method": "logistics", "consignee": "陈工", "phone": "021-6234 5678",
            "address": "上海市浦东新区张江路 88 号", "contract_id": contract.id if contract else None}


def _order(users, customer, contract, qty, code="PP-20", rep="rep1"):
    p = _product(code)
    order = orders.request(users[rep], _fields(customer, contract), [orders.LineInput(p.id, str(qty), p.list_price)]).order
    db.session.commit()
    return order


def _enter(users, order):
    note = payments.register(users["assistant"], {"customer": order.customer, "pay_type": "transfer", "bank": "工行",
                                                  "amount": order.total, "paid_on": order.requested_on})
    payments.decide(users["finance"], note, True)
    orders.enter(users["assistant"], order, note)
    db.session.commit()
    return note


def _ship(users, order, qty, waybill):
    ln = order.lines[0]
    ship = shipments.prepare(users["assistant"], order, {ln.id: str(qty)},
                             {"carrier": "德邦", "method": "logistics", "waybill": waybill, "pieces": "1"})
    shipments.check(users["manager"], ship)
    db.session.commit()
    return ship


def _invoice(users, order, qty, no, check=True):
    ln = order.lines[0]
    inv = invoices.prepare(users["assistant"], order, {ln.id: (str(qty), ln.unit_price)}, {
        "invoice_no": no, "content": ln.product.name, "recipient": "财务部", "mail_method": "courier"})
    if check:
        invoices.check(users["manager"], inv)
    db.session.commit()
    return inv


def _receipt(users, customer, amount):
    p = receivables.register(users["finance"], {
        "customer": customer, "payer": customer.name, "pay_type": "transfer", "bank": "招商银行",
        "amount": D(amount), "received_on": today_local()}, ("slip.png", PNG))
    db.session.commit()
    return p


@pytest.fixture
def story(app, users, frozen_clock):
    """A contract of 9,970.00 (PP-20 20 × 18.50 + SOFT-2 1 × 9,600.00) carried out over six days; `expected`
    is written down by hand as each thing happens: (day, kind, reference, amount, counts)."""
    customer = _customer(users)
    stock.receive(users["assistant"], _product("PP-20"), "100")
    db.session.commit()
    exp = []
    d0 = _go(frozen_clock, 0)
    c = _contract(users, customer, [("PP-20", 20, "18.50"), ("SOFT-2", 1, "9600.00")])
    other = _contract(users, customer, [("PP-20", 1, "18.50")])  # same customer, another contract
    exp.append((d0, "signed", c.number, D("9970.00"), False))

    d1 = _go(frozen_clock, 1)
    o1 = _order(users, customer, c, 12)  # 222.00
    _enter(users, o1)
    o2 = _order(users, customer, c, 3)  # 55.50, cancelled: shown, not counted
    orders.cancel(users["assistant"], o2, "客户改单")
    db.session.commit()
    _order(users, customer, None, 1)  # not against the contract: not on the sheet
    _order(users, customer, other, 1)  # against the other contract: not on this sheet
    f1 = perf.add_event(users["rep1"], c, "follow_up", d1, "已排产，预计 11 月 21 日完工")
    db.session.commit()
    exp += [(d1, "order", o1.number, D("222.00"), True), (d1, "order", o2.number, D("55.50"), False),
            (d1, "follow_up", "", None, True)]

    d2 = _go(frozen_clock, 2)
    s1 = _ship(users, o1, 8, "W-001")  # 148.00
    doc = perf.add_event(users["assistant"], c, "document", d2, "随第一批货", "certificate", ("合格证.png", PNG))
    db.session.commit()
    exp += [(d2, "shipment", s1.number, D("148.00"), True), (d2, "document", "", None, True)]

    d3 = _go(frozen_clock, 3)
    s2 = _ship(users, o1, 4, "W-002")  # 74.00
    i1 = _invoice(users, o1, 8, "NO000001")  # 148.00
    i2 = _invoice(users, o1, 4, "NO000002", check=False)  # waiting for its check: not yet on the sheet
    exp += [(d3, "shipment", s2.number, D("74.00"), True), (d3, "invoice", i1.number, D("148.00"), True)]

    d4 = _go(frozen_clock, 4)
    invoices.check(users["manager"], i2)
    r1 = _receipt(users, customer, "300.00")
    a1 = receivables.allocate(users["assistant"], r1, i1, D("100.00"))  # the contract comes from the order
    a3 = receivables.allocate(users["assistant"], r1, i1, D("20.00"))
    pending = receivables.allocate(users["assistant"], r1, i2, D("50.00"))  # never confirmed: not collected
    receivables.confirm(users["finance"], a1)
    receivables.confirm(users["finance"], a3)
    db.session.commit()
    exp += [(d4, "invoice", i2.number, D("74.00"), True), (d4, "payment", r1.number, D("100.00"), True),
            (d4, "payment", r1.number, D("20.00"), True)]

    d5 = _go(frozen_clock, 5)
    rev = receivables.reverse(users["assistant"], a3, "分错发票")
    receivables.confirm(users["finance"], rev)
    wrong = perf.add_event(users["supervisor1"], c, "follow_up", d5, "第二批延期（登错合同）")
    accepted = perf.add_event(users["rep1"], c, "acceptance", d5, "客户设备科王工验收合格")
    perf.cancel_event(users["rep1"], wrong, "登错合同")
    db.session.commit()
    exp += [(d5, "follow_up", "", None, False), (d5, "reversal", r1.number, D("-20.00"), True),
            (d5, "acceptance", "", None, True), (d5, "cancel", "", None, False)]
    return {"contract": c, "other": other, "customer": customer, "expected": exp, "o1": o1, "i1": i1, "i2": i2,
            "events": {"follow_up": f1, "document": doc, "wrong": wrong, "acceptance": accepted},
            "pending": pending, "receipt": r1}


def _running(expected):
    """The running figures of each expected row, computed here from the hand-written list."""
    amount = D("9970.00")
    ordered = shipped = invoiced = collected = D("0.00")
    out = []
    for _day, kind, _ref, value, counts in expected:
        if counts and kind == "order":
            ordered += value
        if counts and kind == "shipment":
            shipped += value
        if counts and kind == "invoice":
            invoiced += value
        if counts and kind in ("payment", "reversal"):
            collected += value
        out.append({"ordered": ordered, "shipped": shipped, "invoiced": invoiced, "collected": collected,
                    "to_order": amount - ordered, "to_ship": amount - shipped, "to_invoice": amount - invoiced,
                    "to_collect": amount - collected})
    return out


def test_every_row_from_the_records_with_running_figures_and_amounts_to_go(story, users):
    sheet = perf.performance_sheet(users["rep1"], story["contract"])
    got = [(r.day, r.kind, r.reference, r.amount, r.counts) for r in sheet.rows]
    assert got == story["expected"]
    for row, want in zip(sheet.rows, _running(story["expected"]), strict=True):
        assert {k: getattr(row, k) for k in want} == want, (row.day, row.kind, row.reference)
        assert all(isinstance(getattr(row, k), Decimal) for k in want)
    assert (sheet.amount, sheet.ordered, sheet.shipped, sheet.invoiced, sheet.collected) == (
        D("9970.00"), D("222.00"), D("222.00"), D("222.00"), D("100.00"))
    assert (sheet.to_ship, sheet.to_invoice, sheet.to_collect) == (D("9748.00"), D("9748.00"), D("9870.00"))
    assert sheet.accepted_on == START + timedelta(days=5)
    assert sheet.awaiting_confirmation == D("50.00")  # the allocation finance has not confirmed
    assert sheet.cancelled_ids == {story["events"]["wrong"].id}
    doc_row = next(r for r in sheet.rows if r.kind == "document")
    assert doc_row.file_id is not None and "合格证" in doc_row.description


def test_the_other_contract_has_only_its_own_order(story, users):
    sheet = perf.performance_sheet(users["assistant"], story["other"])
    assert [r.kind for r in sheet.rows] == ["signed", "order"]
    assert (sheet.ordered, sheet.shipped, sheet.to_collect) == (D("18.50"), D("0.00"), D("18.50"))


def test_the_page_shows_each_step_and_exports_the_same_rows(story, users, login):
    c = story["contract"]
    page = login("rep1").get(f"/contracts/{c.id}/performance")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for _day, _kind, ref, _value, _counts in story["expected"]:
        assert ref in html
    assert "¥9,748.00" in html and "¥9,870.00" in html  # 未发货/未开票 and 未回款
    assert 'style="' not in html and "<style" not in html and "onclick" not in html
    assert "event-form" in html and "send-form" in html
    xlsx = login("finance").get(f"/contracts/{c.id}/performance?format=xlsx")
    assert xlsx.status_code == 200
    ws = load_workbook(BytesIO(xlsx.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == tuple(perf.HEADERS)
    assert len(rows) == 1 + len(story["expected"])
    assert rows[-1][-1] == pytest.approx(9870.00) and rows[-1][-3] == pytest.approx(9748.00)
    finance_page = login("finance").get(f"/contracts/{c.id}/performance").get_data(as_text=True)
    assert "event-form" not in finance_page  # finance reads, does not record
    printed = login("supervisor1").get(f"/contracts/{c.id}/performance/print")
    assert printed.status_code == 200 and "data-autoprint" in printed.get_data(as_text=True)


def test_scope_other_team_and_other_rep_get_404(story, users, login):
    c = story["contract"]
    for username in ("rep3", "rep2", "supervisor2"):
        client = login(username)
        assert client.get(f"/contracts/{c.id}/performance").status_code == 404, username
        assert client.get(f"/contracts/{c.id}/performance/print").status_code == 404, username
        assert client.post(f"/contracts/{c.id}/performance/events", data={"kind": "follow_up", "note": "x"}
                           ).status_code == 404, username
    assert login("supervisor1").get(f"/contracts/{c.id}/performance").status_code == 200
    with pytest.raises(Forbidden):
        perf.performance_sheet(users["rep3"], c)


def test_entries_through_the_page(story, users, login):
    c = story["contract"]
    client = login("rep1")
    before = db.session.scalar(select(db.func.count()).select_from(ContractEvent))
    r = client.post(f"/contracts/{c.id}/performance/events",
                    data={"kind": "document", "happened_on": today_local().isoformat(), "document_type": "test_report",
                          "note": "水质检测报告", "file": (BytesIO(PNG), "report.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 303
    row = db.session.scalar(select(ContractEvent).order_by(ContractEvent.id.desc()))
    assert (row.kind, row.document_type, row.by_id) == ("document", "test_report", users["rep1"].id)
    assert row.file_id is not None
    assert client.get(f"/expenses/receipts/{row.file_id}").status_code == 200  # the scan, for who sees the contract
    assert login("rep3").get(f"/expenses/receipts/{row.file_id}").status_code == 404
    empty = client.post(f"/contracts/{c.id}/performance/events", data={"kind": "acceptance", "happened_on": ""})
    assert empty.status_code == 200 and "请填写日期" in empty.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(ContractEvent)) == before + 1
    cancel = client.post(f"/contracts/performance/events/{row.id}/cancel", data={"reason": "报告编号有误"})
    assert cancel.status_code == 303
    assert row.id in perf.performance_sheet(users["rep1"], c).cancelled_ids


def test_send_to_customer_queues_the_sheet_as_html(story, users, login):
    c = story["contract"]
    db.session.add(Contact(customer_id=c.customer_id, name="王工", email="wang@customer.example"))
    db.session.commit()
    client = login("rep1")
    page = client.get(f"/contracts/{c.id}/performance").get_data(as_text=True)
    assert 'value="wang@customer.example"' in page  # prefilled from the customer contact
    bad = client.post(f"/contracts/{c.id}/performance/send", data={"to_addr": "not an address"})
    assert bad.status_code == 200 and "请填写客户联系人的电子邮箱" in bad.get_data(as_text=True)
    assert client.post(f"/contracts/{c.id}/performance/send", data={"to_addr": "li@customer.example"}).status_code == 303
    mail = db.session.scalar(select(Email).where(Email.to_addr == "li@customer.example"))
    assert mail is not None and c.number in mail.subject
    assert c.number in mail.html_body and "¥9,870.00" in mail.html_body and "<table" in mail.html_body
    assert story["o1"].number in mail.body and "¥9,748.00" in mail.body
    assert "li@customer.example" in client.get(f"/contracts/{c.id}/performance").get_data(as_text=True)  # 发送记录
    with pytest.raises(Forbidden):
        perf.send_to_customer(users["finance"], c, "x@customer.example")


# ---- the contract on orders and allocations ------------------------------------------------------------

def test_order_contract_must_be_the_customers_and_signed(app, users):
    customer, elsewhere = _customer(users), _customer(users, "rep3")
    stock.receive(users["assistant"], _product("PP-20"), "10")
    signed = _contract(users, customer, [("PP-20", 5, "18.50")])
    unsigned = _contract(users, customer, [("PP-20", 5, "18.50")], sign=False)
    foreign = _contract(users, elsewhere, [("PP-20", 5, "18.50")], rep="rep3")
    p = _product("PP-20")
    line = [orders.LineInput(p.id, "1", p.list_price)]
    for contract, message in ((foreign, "不是该客户的合同"), (unsigned, "尚未签订")):
        with pytest.raises(DomainError) as exc:
            orders.request(users["rep1"], _fields(customer, contract), line)
        assert message in str(exc.value.errors["contract_id"])
        db.session.rollback()
    with pytest.raises(DomainError) as exc:
        orders.request(users["rep1"], {**_fields(customer), "contract_id": 987654}, line)
    assert "contract_id" in exc.value.errors
    db.session.rollback()
    order = orders.request(users["rep1"], _fields(customer, signed), line).order
    assert order.contract_id == signed.id and order.contract is signed
    assert orders.signed_contracts(users["rep1"], customer) == [signed]
    assert orders.signed_contracts(users["rep3"], customer) == []  # scoped: not rep3's


def test_order_form_lists_the_customers_signed_contracts(app, users, login):
    customer = _customer(users)
    signed = _contract(users, customer, [("PP-20", 5, "18.50")])
    unsigned = _contract(users, customer, [("PP-20", 5, "18.50")], sign=False)
    client = login("rep1")
    choices = client.get(f"/orders/contract-choices?customer_id={customer.id}").get_data(as_text=True)
    assert signed.number in choices and unsigned.number not in choices
    assert signed.number not in login("rep3").get(f"/orders/contract-choices?customer_id={customer.id}").get_data(
        as_text=True)
    form = client.get(f"/orders/new?customer={customer.id}&contract={signed.id}").get_data(as_text=True)
    assert f'<option selected value="{signed.id}">' in form or f'value="{signed.id}" selected' in form
    p = _product("PP-20")
    r = client.post("/orders/new", data={"customer_id": customer.id, "contract_id": unsigned.id,
                                          "delivery_method": "logistics", "consignee": "陈工", "phone": "021-1",
                                          "address": "上海", "lines-0-product_id": p.id, "lines-0-quantity": "1",
                                          "lines-0-unit_price": "18.50"})
    assert r.status_code == 200 and "尚未签订" in r.get_data(as_text=True)


def test_allocation_names_the_contract_by_foreign_key(story, users):
    c, other, r1 = story["contract"], story["other"], story["receipt"]
    assert story["pending"].contract_ref == c.id and story["pending"].contract is c  # from the invoice's order
    with pytest.raises(DomainError) as exc:
        receivables.allocate(users["assistant"], r1, story["i2"], D("1.00"), contract_ref=other.id)
    assert story["i2"].invoice_no in str(exc.value.message)
    db.session.rollback()
    foreign = _contract(users, _customer(users, "rep3"), [("PP-20", 1, "18.50")], rep="rep3")
    with pytest.raises(DomainError):
        receivables.allocate(users["assistant"], r1, story["i2"], D("1.00"), contract_ref=foreign.id)
    db.session.rollback()
    with pytest.raises(DomainError):
        receivables.allocate(users["assistant"], r1, story["i2"], D("1.00"), contract_ref=987654)
    db.session.rollback()


# ---- entries: who, what, append-only ------------------------------------------------------------------

def test_who_may_record(story, users):
    c = story["contract"]
    for username in ("rep1", "supervisor1", "assistant", "manager"):
        perf.add_event(users[username], c, "follow_up", today_local(), f"{username} 跟踪")
    for username in ("rep2", "rep3", "finance", "director", "gm"):
        with pytest.raises(Forbidden):
            perf.add_event(users[username], c, "follow_up", today_local(), "跟踪")
    unsigned = _contract(users, story["customer"], [("PP-20", 1, "18.50")], sign=False)
    with pytest.raises(Forbidden):
        perf.add_event(users["rep1"], unsigned, "follow_up", today_local(), "跟踪")


def test_entry_checks(story, users):
    c = story["contract"]
    cases = [
        (dict(kind="follow_up", happened_on=None, note="x"), "happened_on"),
        (dict(kind="follow_up", happened_on=today_local() + timedelta(days=1), note="x"), "happened_on"),
        (dict(kind="follow_up", happened_on=c.signed_on - timedelta(days=1), note="x"), "happened_on"),
        (dict(kind="follow_up", happened_on=today_local(), note=" "), "note"),
        (dict(kind="acceptance", happened_on=today_local(), note=""), "note"),
        (dict(kind="document", happened_on=today_local(), document_type="passport"), "document_type"),
        (dict(kind="document", happened_on=today_local(), document_type="other"), "note"),
        (dict(kind="follow_up", happened_on=today_local(), note="x", file=("a.png", PNG)), "file"),
        (dict(kind="document", happened_on=today_local(), document_type="manual", file=("a.exe", b"MZ\x90")), "file"),
        (dict(kind="cancel", happened_on=today_local(), note="x"), "kind"),
    ]
    for kwargs, field in cases:
        with pytest.raises(DomainError) as exc:
            perf.add_event(users["rep1"], c, **kwargs)
        assert field in exc.value.errors, (kwargs, exc.value.errors)
        db.session.rollback()


def test_entries_are_append_only(story, users):
    follow = story["events"]["follow_up"]
    follow.note = "改过的说明"
    with pytest.raises(ContractEventsAreAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(ContractEvent, follow.id))
    with pytest.raises(ContractEventsAreAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(ContractEventsAreAppendOnly):
        db.session.execute(update(ContractEvent).values(note="x"))
    db.session.rollback()
    wrong = story["events"]["wrong"]
    with pytest.raises(AlreadyDecided):
        perf.cancel_event(users["rep1"], wrong, "再撤一次")
    db.session.rollback()
    cancel_row = db.session.scalar(select(ContractEvent).where(ContractEvent.cancels_id == wrong.id))
    with pytest.raises(DomainError):
        perf.cancel_event(users["rep1"], cancel_row, "撤销撤销")
    db.session.rollback()
    with pytest.raises(DomainError):
        perf.cancel_event(users["rep1"], follow, "")
    db.session.rollback()
    with pytest.raises(Forbidden):
        perf.cancel_event(users["finance"], follow, "不对")
    db.session.rollback()
    # Cancelling the acceptance takes it off the figures; the entry itself stays on the sheet.
    perf.cancel_event(users["assistant"], story["events"]["acceptance"], "验收尚未完成，登早了")
    db.session.commit()
    sheet = perf.performance_sheet(users["rep1"], story["contract"])
    assert sheet.accepted_on is None
    assert [r.counts for r in sheet.rows if r.kind == "acceptance"] == [False]
    assert db.session.get(ContractEvent, story["events"]["acceptance"].id).note == "客户设备科王工验收合格"


# ---- returns and exchanges ----------------------------------------------------------------------------

def test_a_return_takes_its_value_off_shipped_and_the_exchange_ships_it_again(app, users):
    from intranet.services import order_returns
    from intranet.services import returns as ret_svc

    customer, soft = _customer(users, "rep3"), _product("SOFT-2")
    stock.receive(users["assistant"], soft, "5")
    c = _contract(users, customer, [("SOFT-2", 3, "9600.00")], rep="rep3")  # 28,800.00
    order = _order(users, customer, c, 2, code="SOFT-2", rep="rep3")  # 19,200.00
    _enter(users, order)
    ship = _ship(users, order, 2, "DP1")
    doc = ret_svc.create(users["rep3"], {"customer_name": customer.name, "order_ref": order.number,
                                         "reason": "quality", "reason_detail": "漏水", "cost_split": "运费我司承担",
                                         "justification": ""}, [ret_svc.LineInput(soft.id, 1, D("9600.00"))])
    ret_svc.save_complaint(users["assistant"], doc, {"product_id": soft.id, "batch": "B-01", "defect": "渗漏",
                                                     "customer_demand": "换货", "proposed_handling": "同意退回检测"})
    order_returns.link(users["assistant"], doc, order)
    ret_svc.submit(users["rep3"], doc)
    req = ret_svc.approval_request(doc)
    while req.status == "pending":
        approvals.decide(approvals.step_deciders(req, req.step)[0], req.id, "approve", "同意")
    ret_svc.notify_customer(users["assistant"], doc, "电话通知客户")
    ret_svc.record_shipment(users["assistant"], doc, "顺丰速运", "SF123", today_local())
    ret_svc.record_receipt(users["assistant"], doc, {doc.lines[0].id: 1}, today_local(), "")
    db.session.commit()
    after_return = perf.performance_sheet(users["rep3"], c)
    assert [(r.kind, r.amount) for r in after_return.rows] == [
        ("signed", D("28800.00")), ("order", D("19200.00")), ("shipment", D("19200.00")), ("return", D("-9600.00"))]
    assert (after_return.shipped, after_return.to_ship) == (D("9600.00"), D("19200.00"))
    replacement = order_returns.exchange(users["assistant"], doc, {order.lines[0].id: "1"},
                                         {"carrier": "德邦物流", "method": "logistics", "waybill": "HH1", "pieces": "1"})
    shipments.check(users["manager"], replacement)
    db.session.commit()
    sheet = perf.performance_sheet(users["rep3"], c)
    assert [(r.kind, r.reference, r.amount) for r in sheet.rows] == [
        ("signed", c.number, D("28800.00")), ("order", order.number, D("19200.00")),
        ("shipment", ship.number, D("19200.00")), ("shipment", replacement.number, D("9600.00")),
        ("return", doc.number, D("-9600.00"))]
    assert "换货" in sheet.rows[3].description
    assert (sheet.shipped, sheet.to_ship) == (D("19200.00"), D("9600.00"))
