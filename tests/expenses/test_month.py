"""Acceptance 1: a scripted month ends with the closing balance equal to an independent sum, and the
statement Excel (read back with openpyxl) has the same figures."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import expense_helpers as h
import pytest
from openpyxl import load_workbook

from intranet.extensions import db
from intranet.models import LedgerEntry
from intranet.services import advances, audit, expenses, ledger
from intranet.services.errors import DomainError

CENT = Decimal("0.01")
# 30 small spends: couriers, printing, postage (deterministic, some with odd cents).
SPENDS = [Decimal(f"{(i * 37) % 190 + 8}.{(i * 13) % 100:02d}") for i in range(30)]
CATS = ["courier", "print_brochure", "print_card", "sample_postage", "other"]


def _money(cell) -> Decimal:
    return Decimal(str(cell)).quantize(CENT)


@pytest.mark.calendar(only=["1st-0800", "1-jan-0001", "29-feb-2028"])
def test_scripted_month_reconciles_to_the_fen(app, users, make_user, login):
    period, day1 = h.last_month()
    cashier = h.new_cashier(make_user)
    finance = users["finance"]
    account = ledger.account_for(cashier)

    # float from finance
    ledger.receive_from_finance(cashier, account, Decimal("5000.00"), "十月备用金", entry_date=day1)
    expected = Decimal("5000.00")
    # 30 disbursements, each with a receipt
    spends = []
    for i, amount in enumerate(SPENDS):
        entry = ledger.disburse(cashier, account, amount, CATS[i % len(CATS)], f"零星支出 {i + 1}",
                                entry_date=day1 + timedelta(days=i % 20))
        ledger.receipts.attach(cashier, "ledger_entry", entry.id, f"r{i}.png", h.PNG)
        spends.append(entry)
        expected -= amount
    # two advances, then five claims: two of them offset the advances (冲销), three in cash
    adv1 = h.paid_advance(users, "rep1", "1000.00")
    adv4 = h.paid_advance(users, "rep4", "800.00")
    pay_day = day1 + timedelta(days=21)
    plan = [("rep1", ["350.00", "250.00"], "offset"),  # 600 offset, 0 cash
            ("rep4", ["1000.00"], "offset"),  # 800 offset, 200 cash
            ("rep2", ["350.50"], "petty_cash"),
            ("rep3", ["100.00", "20.00"], "petty_cash"),  # rep3 has an advance (demo) but is paid in cash
            ("rep1", ["999.99"], "offset")]  # 400 offset (rest of adv1), 599.99 cash
    cash_paid = []
    for who, amounts, method in plan:
        doc = h.approved_claim(users, who, *amounts, day=day1)
        expenses.pay_claim(cashier, doc, method, on=pay_day)
        assert doc.status == "paid"
        cash_paid.append(doc.cash_amount)
        expected -= doc.cash_amount
    assert cash_paid == [Decimal("0.00"), Decimal("200.00"), Decimal("350.50"), Decimal("120.00"), Decimal("599.99")]
    assert adv1.status == adv4.status == "settled" and adv1.outstanding == adv4.outstanding == 0
    # a reversal of a wrong disbursement, and cash returned to finance
    wrong = spends[7]
    ledger.reverse(cashier, wrong, "重复记账，冲正", entry_date=pay_day)
    expected += -wrong.amount
    ledger.return_to_finance(cashier, account, Decimal("500.00"), "归还部分备用金", entry_date=pay_day)
    expected -= Decimal("500.00")

    # finance confirms every entry, then the month is settled and locked
    for entry in db.session.scalars(db.select(LedgerEntry).where(LedgerEntry.account_id == account.id)):
        ledger.confirm(finance, entry)
    row = ledger.prepare_settlement(cashier, account, period)
    ledger.confirm_settlement(finance, row)
    db.session.commit()

    independent = Decimal("5000.00") - sum(SPENDS) + SPENDS[7] - sum(cash_paid) - Decimal("500.00")
    assert expected == independent
    assert row.locked and row.closing == independent and account.balance == independent
    assert row.opening == 0 and row.received == Decimal("5000.00") and row.returned == Decimal("500.00")
    assert row.spent == sum(SPENDS) - SPENDS[7] + sum(cash_paid)
    st = ledger.statement(account, period)
    assert st.closing == independent and len(st.entries) == 1 + 30 + 4 + 1 + 1
    # running balances: each entry = previous + amount
    running = Decimal("0.00")
    for entry in st.entries:
        running += entry.amount
        assert entry.balance == running
        assert entry.amount.as_tuple().exponent == -2
    # the settlement marker (0.00) is in the current month: the statement of the month stays as it was
    marker = db.session.scalar(db.select(LedgerEntry).where(LedgerEntry.account_id == account.id,
                                                            LedgerEntry.kind == "settlement"))
    assert marker.amount == 0 and marker.balance == independent and marker.confirmed_by_id == finance.id

    # the month is locked: no new entry dated in it, no second settlement
    with pytest.raises(DomainError, match="锁定"):
        ledger.disburse(cashier, account, Decimal("1.00"), "courier", "迟到的票", entry_date=day1)
    with pytest.raises(DomainError):
        ledger.prepare_settlement(cashier, account, period)
    db.session.rollback()

    # the statement in Excel has the same figures
    response = login("finance").get(f"/ledger/?account={account.id}&period={period}&format=xlsx")
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.data)).active
    summary = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, 7)}
    assert {k: _money(v) for k, v in summary.items()} == {
        "期初余额": Decimal("0.00"), "本月收到": Decimal("5000.00"), "本月支出": row.spent,
        "归还财务": Decimal("500.00"), "期末余额": independent}
    assert ws.cell(2, 2).number_format == "#,##0.00"
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "序号")
    rows = list(ws.iter_rows(min_row=header + 1, values_only=True))
    assert len(rows) == len(st.entries)
    net = sum((_money(r[6] or 0) - _money(r[7] or 0) for r in rows), Decimal("0.00"))
    assert net == independent
    assert _money(rows[-1][8]) == independent
    for r, entry in zip(rows, st.entries, strict=True):
        assert _money(r[8]) == entry.balance

    # and nothing in the books disagrees with the audit trail
    assert audit.verify() is None and ledger.verify() == []
    result = app.test_cli_runner().invoke(args=["audit-verify"])
    assert result.exit_code == 0, result.output
    # only the demo's advance of rep3 is still out
    assert [(r["user"].username, r["outstanding"]) for r in advances.outstanding_by_person()] == [
        ("rep3", Decimal("3000.00"))]
