"""Acceptance 3: no path stores a float; hypothesis feeds random amounts and strings to the amount
parser and to the ledger and checks the invariants."""

import ast
from decimal import Decimal
from pathlib import Path

import expense_helpers as h
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import StatementError
from wtforms import FieldList, FormField

from intranet.extensions import db
from intranet.models import LedgerEntry, PettyCashAccount
from intranet.services import advances, expenses, ledger
from intranet.services.errors import DomainError
from intranet.web.money_input import MAX_AMOUNT, MoneyField, parse_amount

ROOT = Path(__file__).resolve().parents[2]
MONEY_CODE = [*ROOT.glob("intranet/expenses/*.py"), *ROOT.glob("intranet/ledger/*.py"),
              *(ROOT / "intranet/services" / f for f in ("ledger.py", "expenses.py", "advances.py", "promotions.py",
                                                         "expense_reports.py", "receipts.py")),
              ROOT / "intranet/models/ledger.py", ROOT / "intranet/models/expenses.py"]


# ---- the parser ------------------------------------------------------------------------------------

@given(st.text(max_size=30))
@settings(max_examples=300)
def test_parse_amount_returns_cents_or_a_chinese_message(text):
    try:
        value = parse_amount(text)
    except ValueError as exc:
        message = str(exc.args[0])
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
        return
    assert isinstance(value, Decimal) and value.as_tuple().exponent == -2
    assert Decimal("0.01") <= value <= MAX_AMOUNT


@given(st.decimals(min_value=Decimal("0.01"), max_value=MAX_AMOUNT, places=2, allow_nan=False),
       st.sampled_from(["{}", "{:,}", "￥{}", "¥{:,}", " {} "]))
def test_parse_amount_reads_what_people_type(value, shape):
    assert parse_amount(shape.format(value)) == value


@given(st.one_of(st.decimals(allow_nan=True, allow_infinity=True), st.integers(-10**12, 10**12)))
@settings(max_examples=200)
def test_parse_amount_on_any_number(value):
    text = str(value)
    try:
        parsed = parse_amount(text)
    except ValueError:
        return
    assert parsed == Decimal(text) and parsed.as_tuple().exponent == -2


# ---- the ledger --------------------------------------------------------------------------------------

amounts = st.one_of(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("3000"), places=2),
    st.decimals(min_value=Decimal("-50"), max_value=Decimal("50"), places=3),  # negatives, 3 places: refused
    st.sampled_from([Decimal("0"), Decimal("0.00"), Decimal("100000000.00"), Decimal("1E+3"), Decimal("7.5")]))
operations = st.lists(st.tuples(st.sampled_from(["float", "spend", "return", "reverse"]), amounts,
                                st.text(min_size=1, max_size=20)), min_size=1, max_size=12)


@given(ops=operations)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_ledger_invariants_under_random_operations(app, users, ops):
    cashier = users["assistant"]
    box = ledger.find_account(cashier)
    start_count = box.entry_count
    try:
        for kind, amount, memo in ops:
            try:
                with db.session.begin_nested():
                    if kind == "float":
                        ledger.receive_from_finance(cashier, box, amount, memo)
                    elif kind == "spend":
                        ledger.disburse(cashier, box, amount, "courier", memo)
                    elif kind == "return":
                        ledger.return_to_finance(cashier, box, amount, memo)
                    else:
                        last = db.session.scalar(db.select(LedgerEntry).where(
                            LedgerEntry.account_id == box.id, LedgerEntry.kind != "reversal")
                            .order_by(LedgerEntry.seq.desc()))
                        ledger.reverse(cashier, last, memo)
            except DomainError:
                pass
            box = db.session.get(PettyCashAccount, box.id)
            entries = list(db.session.scalars(db.select(LedgerEntry).where(LedgerEntry.account_id == box.id)
                                              .order_by(LedgerEntry.seq)))
            assert box.balance >= 0
            assert sum((e.amount for e in entries), Decimal("0.00")) == box.balance
            running = Decimal("0.00")
            for e in entries:
                running += e.amount
                assert e.balance == running >= 0
                assert isinstance(e.amount, Decimal) and e.amount.as_tuple().exponent == -2
                assert e.balance.as_tuple().exponent == -2
        assert box.entry_count >= start_count
        assert ledger.verify() == []
    finally:
        db.session.rollback()


# ---- no floats anywhere ----------------------------------------------------------------------------

def test_money_column_refuses_float(users):
    box = ledger.find_account(users["assistant"])
    entry = LedgerEntry(account_id=box.id, seq=99, kind="disbursement", amount=-1.5, balance=Decimal("1.00"),
                        entry_date=h.today_local(), period="2026-01", recorded_by_id=users["assistant"].id,
                        created_at=box.created_at, prev_hash="0" * 64, hash="f" * 64)
    db.session.add(entry)
    with pytest.raises(StatementError, match="money must be Decimal, not float"):
        db.session.flush()
    db.session.rollback()


def test_services_refuse_float(users):
    box = ledger.find_account(users["assistant"])
    for call in (lambda: ledger.disburse(users["assistant"], box, 12.5, "courier", "x"),
                 lambda: ledger.receive_from_finance(users["assistant"], box, 1.0),
                 lambda: ledger._append(users["assistant"], box, "float_in", 3.0),
                 lambda: ledger.cents(0.1)):
        with pytest.raises(TypeError):
            call()
    with pytest.raises(TypeError):
        expenses.save_claim(users["rep1"], None, title="x", lines=[
            {"category": "travel", "spent_on": h.today_local(), "amount": 1.5}])
    with pytest.raises(TypeError):
        advances.save(users["rep1"], None, amount=300.0, purpose="x", trip_start=h.today_local(),
                      trip_end=h.today_local())


def _money_fields(form_class):
    for name in dir(form_class):
        field = getattr(form_class, name)
        unbound = getattr(field, "field_class", None)
        if unbound is FieldList:
            inner = field.args[0] if field.args else field.kwargs.get("unbound_field")
            if getattr(inner, "field_class", None) is FormField:
                yield from _money_fields(inner.args[0])
        elif unbound is not None and ("amount" in name or "price" in name):
            yield name, unbound


def test_every_amount_field_is_a_money_field():
    from intranet.expenses import forms as expense_forms
    from intranet.ledger import forms as ledger_forms

    found = []
    for module in (expense_forms, ledger_forms):
        for obj in vars(module).values():
            if isinstance(obj, type) and obj.__module__ == module.__name__:
                found += [(obj.__name__, name, cls) for name, cls in _money_fields(obj)]
    assert len(found) >= 6
    assert all(cls is MoneyField for _, _, cls in found), found


def test_no_float_in_the_money_code():
    """No float() call and no float literal in the expenses/ledger code (charts get amounts as strings)."""
    offenders = []
    for path in MONEY_CODE:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "float":
                offenders.append(f"{path.name}:{node.lineno} float()")
            if isinstance(node, ast.Constant) and isinstance(node.value, float):
                offenders.append(f"{path.name}:{node.lineno} {node.value!r}")
    assert not offenders
