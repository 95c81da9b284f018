"""The mailing register: checks next to the fields, received → verified, the petty-cash link, and the
unconfirmed-mailing reminder that fires once per mailing."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from intranet.clock import SHANGHAI, today_local
from intranet.extensions import db
from intranet.models import Customer, Email, LedgerEntry, Todo
from intranet.services import ledger, mailings
from intranet.services.errors import DomainError

DAY = datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)


def _fields(users, **over):
    customer = db.session.scalar(select(Customer).where(Customer.owner_id == users["rep1"].id).order_by(Customer.id))
    return {"customer_id": customer.id, "contents": "彩页×20", "method": "courier", "carrier": "顺丰速运",
            "tracking_no": "SF1234567890", "sent_on": today_local(), "cost": Decimal("18.00"), "recipient": "王经理",
            "phone": "021-1234", "address": "上海市", **over}


@pytest.mark.parametrize("over, field", [
    ({"tracking_no": "S" * 500}, "tracking_no"), ({"tracking_no": ""}, "tracking_no"), ({"carrier": ""}, "carrier"),
    ({"method": "pigeon"}, "method"), ({"recipient": ""}, "recipient"), ({"contents": "x" * 201}, "contents"),
    ({"sent_on": None}, "sent_on"), ({"address": "地" * 201}, "address")])
def test_bad_input_is_refused_next_to_its_field(app, users, over, field):
    before = db.session.scalar(select(func.count()).select_from(mailings.Mailing))
    with pytest.raises(DomainError) as exc:
        mailings.register(users["assistant"], _fields(users, **over))
    assert field in getattr(exc.value, "errors", {exc.value.field: 1})
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(mailings.Mailing)) == before


def test_by_hand_needs_no_tracking_and_statuses_go_sent_received_confirmed(app, users):
    row = mailings.register(users["assistant"], _fields(users, method="hand", carrier="", tracking_no=""))
    assert row.status == "sent" and row.rep_id == users["rep1"].id
    with pytest.raises(DomainError):
        mailings.confirm(users["assistant"], row, today_local())  # not received yet
    mailings.mark_received(users["rep1"], row, today_local())  # the rep heard from the customer
    with pytest.raises(DomainError):
        mailings.confirm(users["rep1"], row, today_local())  # verifying is the assistant's
    mailings.confirm(users["assistant"], row, today_local())
    assert (row.status, row.confirmed_by_id) == ("confirmed", users["assistant"].id)


def test_cost_paid_from_petty_cash_is_linked_both_ways(app, users):
    assistant = users["assistant"]
    account = ledger.account_for(assistant)
    if account.balance < Decimal("18.00"):
        ledger.receive_from_finance(assistant, account, Decimal("500.00"))
    before = account.balance
    row = mailings.register(assistant, _fields(users, pay_from_petty_cash=True))
    db.session.commit()
    entry = db.session.get(LedgerEntry, row.ledger_entry_id)
    assert (entry.ref_type, entry.ref_id, entry.amount, entry.category) == ("mailing", row.id, Decimal("-18.00"),
                                                                             "courier")
    assert account.balance == before - Decimal("18.00")


def test_petty_cash_too_low_is_a_message_on_the_cost(app, users):
    assistant = users["assistant"]
    balance = ledger.account_for(assistant).balance
    with pytest.raises(DomainError) as exc:
        mailings.register(assistant, _fields(users, cost=balance + Decimal("1.00"), pay_from_petty_cash=True))
    assert exc.value.field == "cost" and "余额不足" in str(exc.value.message)


def test_unconfirmed_mailing_is_reminded_once(app, users):
    with time_machine.travel(DAY, tick=False):
        row = mailings.register(users["assistant"], _fields(users, sent_on=today_local() - timedelta(days=2)))
        done = mailings.register(users["assistant"], _fields(users, sent_on=today_local() - timedelta(days=9)))
        mailings.mark_received(users["assistant"], done, today_local() - timedelta(days=8))
        mailings.confirm(users["assistant"], done, today_local() - timedelta(days=8))
        db.session.commit()
    keys = [f"mailing-unconfirmed:{row.id}:", f"mailing-unconfirmed:{done.id}:"]

    def count(prefix):
        return db.session.scalar(select(func.count()).select_from(Todo).where(Todo.key.startswith(prefix)))

    with time_machine.travel(DAY + timedelta(days=2), tick=False):  # 4 days: not yet (N = 5)
        mailings.remind_unconfirmed()
    assert count(keys[0]) == 0
    with time_machine.travel(DAY + timedelta(days=3), tick=False):
        first = mailings.remind_unconfirmed()
    with time_machine.travel(DAY + timedelta(days=4), tick=False):
        again = mailings.remind_unconfirmed()  # the next day: nobody is reminded twice
        again += mailings.remind_unconfirmed()
    db.session.commit()
    assert first >= 1 and again == 0
    assert count(keys[0]) == 1 and count(keys[1]) == 0  # one assistant; the confirmed one never
    assert db.session.scalar(select(func.count()).select_from(Email).where(Email.key.startswith(keys[0]))) == 1


def test_the_job_runs_the_reminder(app, users):
    from intranet.jobs.samples import remind_unconfirmed_mailings

    with time_machine.travel(DAY, tick=False):
        mailings.register(users["assistant"], _fields(users, sent_on=today_local() - timedelta(days=30)))
        db.session.commit()
        written = remind_unconfirmed_mailings(DAY.isoformat())
    assert written >= 1
