"""The ledger's rules: append-only (no route, the flush guard, tamper evidence), never negative,
two-person confirmation, locked months, and the pages that show it."""

from datetime import timedelta
from decimal import Decimal

import expense_helpers as h
import pytest
from sqlalchemy import text, update

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import AuditEntry, LedgerEntry
from intranet.services import ledger
from intranet.services.errors import AlreadyDecided, DomainError, Forbidden
from intranet.services.ledger import LedgerIsAppendOnly


@pytest.fixture
def box(users):
    """The demo assistant's box: last month settled and locked; this month a ¥5,000.00 float and three
    disbursements (¥823.00), two confirmed."""
    return ledger.find_account(users["assistant"])


@pytest.mark.calendar
def test_demo_box(box):
    assert box.balance == Decimal("4177.00")
    period, _ = h.last_month()
    assert period in ledger.locked_periods(box.id)
    settled = ledger.statement(box, period)
    assert (settled.opening, settled.received, settled.spent, settled.returned, settled.closing) == (
        Decimal("0.00"), Decimal("2000.00"), Decimal("312.00"), Decimal("1688.00"), Decimal("0.00"))
    this_month = ledger.statement(box, ledger.period_of(today_local()))
    assert (this_month.opening, this_month.received, this_month.spent) == (
        Decimal("0.00"), Decimal("5000.00"), Decimal("823.00"))
    assert len(this_month.entries) == 5  # the settlement marker, the float, three disbursements


# ---- acceptance 4: editing or deleting an entry is impossible through the app ----------------------

def test_no_route_edits_or_deletes_an_entry(app, box, login):
    entry = db.session.scalar(db.select(LedgerEntry).where(LedgerEntry.account_id == box.id))
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("ledger.")]
    assert not [r for r in rules if r.methods & {"PUT", "PATCH", "DELETE"}]
    assert not [r for r in rules if any(w in r.endpoint for w in ("edit", "delete", "update", "remove"))]
    client = login("assistant")
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        assert client.open(f"/ledger/entries/{entry.id}", method=method).status_code == 405


def test_flush_guard_refuses_updates_and_deletes(box, users):
    entry = db.session.scalar(db.select(LedgerEntry).where(LedgerEntry.account_id == box.id, LedgerEntry.seq == 2))
    entry.amount = Decimal("-1.00")
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    entry = db.session.get(LedgerEntry, entry.id)
    entry.memo = "改一下"
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(LedgerEntry, entry.id))
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(LedgerIsAppendOnly):
        db.session.execute(update(LedgerEntry).values(memo="x"))
    db.session.rollback()
    # the confirmation is the one thing set later, once
    confirmed = db.session.get(LedgerEntry, entry.id)
    assert confirmed.confirmed_by_id == users["finance"].id
    confirmed.confirmed_by_id = users["manager"].id
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_direct_sql_edit_is_caught_by_audit_verify(app, box):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit-verify"]).exit_code == 0
    entry_id = db.session.scalar(db.select(LedgerEntry.id).where(LedgerEntry.account_id == box.id,
                                                                  LedgerEntry.seq == 3))
    db.session.execute(text("UPDATE ledger_entry SET amount = -6.80 WHERE id = :id"), {"id": entry_id})
    db.session.commit()
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert f"entry #{entry_id}" in result.output
    # even when the forger recomputes the row's own hash, the audit trail still disagrees
    db.session.expire_all()
    forged = db.session.get(LedgerEntry, entry_id)
    db.session.execute(text("UPDATE ledger_entry SET hash = :h WHERE id = :id"),
                       {"h": ledger._digest(forged), "id": entry_id})
    db.session.commit()
    problems = ledger.verify()
    assert any("audit record" in p for p in problems)


def test_direct_sql_delete_is_caught(app, box):
    last = db.session.scalar(db.select(LedgerEntry.id).where(LedgerEntry.account_id == box.id)
                             .order_by(LedgerEntry.seq.desc()))
    db.session.execute(text("DELETE FROM ledger_entry WHERE id = :id"), {"id": last})
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert "no longer in the ledger" in result.output


# ---- never negative, dates, locked months ------------------------------------------------------------

def test_overdraft_is_refused_with_a_message_and_nothing_written(box, users):
    before = (box.balance, box.entry_count, db.session.scalar(db.select(db.func.count(AuditEntry.id))))
    with pytest.raises(DomainError, match="余额不足") as caught:
        ledger.disburse(users["assistant"], box, Decimal("4177.01"), "courier", "太多了")
    assert caught.value.field == "amount"
    db.session.rollback()
    box = db.session.get(type(box), box.id)
    assert (box.balance, box.entry_count, db.session.scalar(db.select(db.func.count(AuditEntry.id)))) == before
    entry = ledger.disburse(users["assistant"], box, Decimal("4177.00"), "courier", "刚好用完")
    assert entry.balance == 0


def test_only_the_custodian_records(box, users, make_user):
    other = h.new_cashier(make_user)
    for who in (other, users["finance"], users["manager"]):
        with pytest.raises(Forbidden):
            ledger.disburse(who, box, Decimal("1.00"), "courier", "x")


def test_amount_rules(box, users):
    a = users["assistant"]
    for bad in (Decimal("0"), Decimal("-5"), Decimal("1.234"), Decimal("NaN"), Decimal("100000000")):
        with pytest.raises(DomainError):
            ledger.disburse(a, box, bad, "courier", "x")
    with pytest.raises(TypeError):
        ledger.disburse(a, box, 1.5, "courier", "x")
    with pytest.raises(DomainError, match="类别"):
        ledger.disburse(a, box, Decimal("1.00"), "", "x")
    with pytest.raises(DomainError, match="摘要"):
        ledger.disburse(a, box, Decimal("1.00"), "courier", " ")


@pytest.mark.calendar
def test_dates_never_go_back_a_month_nor_forward(box, users):

    _, day1 = h.last_month()
    with pytest.raises(DomainError, match="已月底结算并锁定"):
        ledger.disburse(users["assistant"], box, Decimal("1.00"), "courier", "x", entry_date=day1)
    with pytest.raises(DomainError, match="早于"):
        ledger.disburse(users["assistant"], box, Decimal("1.00"), "courier", "x",
                        entry_date=day1 - timedelta(days=1))
    with pytest.raises(DomainError, match="晚于"):
        ledger.disburse(users["assistant"], box, Decimal("1.00"), "courier", "x",
                        entry_date=today_local() + timedelta(days=1))


def test_reversal_restores_and_only_once(box, users):
    a = users["assistant"]
    entry = ledger.disburse(a, box, Decimal("77.70"), "courier", "错记")
    reversal = ledger.reverse(a, entry, "记错了")
    assert reversal.amount == Decimal("77.70") and reversal.balance == Decimal("4177.00")
    with pytest.raises(AlreadyDecided):
        ledger.reverse(a, entry, "再冲一次")
    with pytest.raises(DomainError):
        ledger.reverse(a, reversal, "冲正的冲正")
    with pytest.raises(DomainError, match="原因"):
        ledger.reverse(a, ledger.disburse(a, box, Decimal("1.00"), "courier", "y"), "")


def test_reversing_a_float_that_was_spent_is_refused(users, make_user):
    cashier = h.new_cashier(make_user)
    box = ledger.account_for(cashier)
    float_in = ledger.receive_from_finance(cashier, box, Decimal("100.00"))
    ledger.disburse(cashier, box, Decimal("60.00"), "courier", "快递")
    with pytest.raises(DomainError, match="余额不足"):
        ledger.reverse(cashier, float_in, "借款记错")


# ---- two-person rule -----------------------------------------------------------------------------

def test_two_person_confirmation(box, users):
    entry = ledger.disburse(users["assistant"], box, Decimal("12.00"), "courier", "快递")
    with pytest.raises(Forbidden):
        ledger.confirm(users["assistant"], entry)
    with pytest.raises(Forbidden):
        ledger.confirm(users["rep1"], entry)
    ledger.confirm(users["manager"], entry)
    with pytest.raises(AlreadyDecided):
        ledger.confirm(users["finance"], entry)
    assert entry.confirmed_by_id == users["manager"].id


def test_recorder_never_confirms_own_entry(make_user):
    """Even a confirmer who happens to keep a box cannot check their own entries."""
    keeper = make_user("finance", username="fin_keeper")
    box = ledger.account_for(keeper)
    entry = ledger.receive_from_finance(keeper, box, Decimal("10.00"))
    with pytest.raises(Forbidden, match="双人复核"):
        ledger.confirm(keeper, entry)


def test_settlement_needs_confirmations_and_receipts(users, make_user):
    cashier = h.new_cashier(make_user)
    box = ledger.account_for(cashier)
    period, day1 = h.last_month()
    ledger.receive_from_finance(cashier, box, Decimal("300.00"), entry_date=day1)
    spend = ledger.disburse(cashier, box, Decimal("20.00"), "courier", "无票快递", entry_date=day1)
    with pytest.raises(DomainError) as caught:
        ledger.prepare_settlement(cashier, box, period)
    assert "尚未复核" in caught.value.message and "没有票据" in caught.value.message
    for e in db.session.scalars(db.select(LedgerEntry).where(LedgerEntry.account_id == box.id)):
        ledger.confirm(users["finance"], e)
    with pytest.raises(DomainError, match="没有票据"):
        ledger.prepare_settlement(cashier, box, period)
    ledger.receipts.attach(cashier, "ledger_entry", spend.id, "kd.pdf", h.PDF)
    with pytest.raises(DomainError, match="已经结束"):
        ledger.prepare_settlement(cashier, box, f"{h.today_local():%Y-%m}")
    row = ledger.prepare_settlement(cashier, box, period)
    assert (row.opening, row.received, row.spent, row.returned, row.closing) == (
        0, Decimal("300.00"), Decimal("20.00"), 0, Decimal("280.00"))
    with pytest.raises(Forbidden):
        ledger.confirm_settlement(users["manager"], row)
    ledger.send_back_settlement(users["finance"], row, "请附上快递单")
    row = ledger.prepare_settlement(cashier, box, period)
    ledger.confirm_settlement(users["finance"], row)
    assert row.locked
    row.comment = "改"
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()


# ---- pages -------------------------------------------------------------------------------------------

def test_record_page_records_and_refuses_bad_amounts(app, login, box):
    client = login("assistant")
    for raw, message in (("-5", "金额不能为负数"), ("1.234", "金额最多两位小数"), ("abc", "金额格式不正确"),
                         ("99999999999", "金额过大")):
        count = box.entry_count
        response = client.post("/ledger/record", data={"kind": "disbursement", "amount": raw, "category": "courier",
                                                        "memo": "快递", "entry_date": h.today_local().isoformat()})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert message in page and "has-error" in page
        db.session.expire_all()
        assert db.session.get(type(box), box.id).entry_count == count
    response = client.post("/ledger/record", data={
        "kind": "disbursement", "amount": "￥1,234.50", "category": "print_brochure", "memo": "彩页",
        "entry_date": h.today_local().isoformat(), "receipts": (__import__("io").BytesIO(h.PNG), "r.png")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.expire_all()
    box = db.session.get(type(box), box.id)
    assert box.balance == Decimal("2942.50")
    entry = db.session.scalar(db.select(LedgerEntry).where(LedgerEntry.account_id == box.id)
                              .order_by(LedgerEntry.seq.desc()))
    assert entry.amount == Decimal("-1234.50") and ledger.receipts.for_doc("ledger_entry", entry.id)
    # an overdraft comes back next to the amount
    response = client.post("/ledger/record", data={"kind": "return_to_finance", "amount": "5000",
                                                    "entry_date": h.today_local().isoformat()})
    assert response.status_code == 200 and "余额不足" in response.get_data(as_text=True)


def test_statement_page_and_confirm_via_htmx(login, box, users):
    entry = db.session.scalar(db.select(LedgerEntry).where(LedgerEntry.account_id == box.id,
                                                           LedgerEntry.confirmed_by_id.is_(None)))
    page = login("assistant").get("/ledger/").get_data(as_text=True)
    assert "¥4,177.00" in page and "待复核" in page
    finance = login("finance")
    queue = finance.get("/ledger/confirm").get_data(as_text=True)
    assert f'name="ids" value="{entry.id}"' in queue
    response = finance.post(f"/ledger/entries/{entry.id}/confirm", data={"next": "statement"},
                            headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="statement"' in body and "已复核" in body
    db.session.expire_all()
    assert db.session.get(LedgerEntry, entry.id).confirmed_by_id == users["finance"].id
    assert login("rep1").get("/ledger/").status_code == 403
    assert login("supervisor1").get("/ledger/confirm").status_code == 403


def test_print_and_settlement_pages(login, box):
    client = login("finance")
    assert "备用金对账单" in client.get(f"/ledger/print?account={box.id}").get_data(as_text=True)
    assert client.get(f"/ledger/settlements?account={box.id}").status_code == 200


def test_month_page_figures_in_sql_equal_the_full_statement(app, box, users):
    """statement_page (the page: sums and counts in SQL, one page of rows) says what statement() says."""
    a = users["assistant"]
    entry = ledger.disburse(a, box, Decimal("77.70"), "courier", "错记")
    ledger.reverse(a, entry, "记错了")
    for i in range(30):
        ledger.disburse(a, box, Decimal("1.05"), "courier", f"快递 {i}")
    db.session.commit()
    for period in (h.last_month()[0], ledger.period_of(today_local())):
        full = ledger.statement(box, period)
        with app.test_request_context(f"/ledger/?period={period}"):
            page = ledger.statement_page(box, period)
        assert (page.opening, page.received, page.spent, page.returned, page.closing) == (
            full.opening, full.received, full.spent, full.returned, full.closing)
        assert page.unconfirmed_count == len(full.unconfirmed) and page.unbacked_count == len(full.unbacked)
        per_page = app.config["PAGE_SIZE"]
        assert [e.id for e in page.entries] == [e.id for e in full.entries][:per_page]
    assert page.unbacked_count >= 30 and page.page.has_next == (len(full.entries) > per_page)
    with app.test_request_context(f"/ledger/?period={period}&page=2"):
        second = ledger.statement_page(box, period)
    assert [e.id for e in second.entries] == [e.id for e in full.entries][per_page:2 * per_page]
