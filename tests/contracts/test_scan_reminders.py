"""Contracts awaiting their signed copy (SPEC 2.8): the rep is reminded `contract_scan_remind_days`
after signing, the assistants after `contract_scan_escalate_days` — a to-do and an email each, exactly
once however often the job runs; a contract with its scan (or not signed) is never chased, and the
to-dos close once the scan is uploaded. Also once through the real worker and the SMTP sink."""

from datetime import timedelta
from decimal import Decimal
from email.header import decode_header, make_header

from live_worker import finish, start_worker
from redis import Redis
from rq import Queue
from sqlalchemy import func, select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.jobs.contracts import contract_scan_reminders
from intranet.models import Email, Product, Todo, User
from intranet.models.contracts import Contract
from intranet.models.customers import Customer
from intranet.services import approvals
from intranet.services import contracts as svc

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a7f1d2e50000000049454e44ae426082")


def _signed(users, rep="rep1", days_ago=0) -> Contract:
    customer = db.session.scalar(select(Customer).where(Customer.owner_id == users[rep].id).order_by(Customer.id))
    product = db.session.scalar(select(Product).order_by(Product.id))
    contract = svc.create_contract(users[rep], customer, [svc.LineInput(product.id, 2, Decimal("100.00"))])
    req = svc.submit_contract(users[rep], contract)
    approvals.decide(users["manager"], req.id, "approve", "同意")
    svc.mark_signed(users[rep], contract, today_local() - timedelta(days=days_ago))
    db.session.commit()
    return contract


def _todos(prefix, contract=None):
    key = f"{prefix}:{contract.id}:" if contract else f"{prefix}:"
    return db.session.scalars(select(Todo).where(Todo.key.startswith(key))).all()


def _emails(prefix):
    return db.session.scalar(select(func.count(Email.id)).where(Email.key.startswith(prefix)))


def test_reminded_after_n_days_then_the_assistants_each_once(app, users):
    today = today_local()
    fresh, late, later = _signed(users, days_ago=2), _signed(users, "rep2", days_ago=3), _signed(users, days_ago=8)
    scanned = _signed(users, days_ago=9)
    svc.upload_scan(users["rep1"], scanned, "scan.png", PNG)
    db.session.commit()
    assistants = db.session.scalars(select(User).where(User.role == "assistant", User.active)).all()
    assert contract_scan_reminders(today.isoformat()) == {"reminded": 2, "escalated": len(assistants)}
    assert [t.user_id for t in _todos("contract-scan", late)] == [users["rep2"].id]
    assert {t.user_id for t in _todos("contract-scan-escalate", later)} == {a.id for a in assistants}
    assert _todos("contract-scan", fresh) == [] and _todos("contract-scan", scanned) == []
    assert _emails("contract-scan:") == 2 and _emails("contract-scan-escalate:") == len(assistants)
    for _ in range(3):  # later ticks the same day: nothing more
        assert contract_scan_reminders(today.isoformat()) == {"reminded": 0, "escalated": 0}
    # the next days: the fresh contract's turn comes once; `late` reaches the assistants at day 7
    assert contract_scan_reminders((today + timedelta(days=1)).isoformat()) == {"reminded": 1, "escalated": 0}
    assert contract_scan_reminders((today + timedelta(days=4)).isoformat()) == {"reminded": 0,
                                                                                 "escalated": len(assistants)}
    assert contract_scan_reminders((today + timedelta(days=30)).isoformat()) == {"reminded": 0,
                                                                                  "escalated": len(assistants)}
    assert contract_scan_reminders((today + timedelta(days=31)).isoformat()) == {"reminded": 0, "escalated": 0}
    assert _emails("contract-scan:") == 3 and _emails("contract-scan-escalate:") == 3 * len(assistants)
    # the scan arrives: its to-dos are done at the next run
    svc.upload_scan(users["rep2"], late, "scan.png", PNG)
    db.session.commit()
    contract_scan_reminders(today.isoformat())
    assert all(t.done for t in _todos("contract-scan", late) + _todos("contract-scan-escalate", late))
    assert not any(t.done for t in _todos("contract-scan", later))


def test_the_setting_moves_the_day(app, users):
    from intranet.models import Setting

    db.session.add(Setting(key="contract_scan_remind_days", value="10"))
    db.session.commit()
    _signed(users, days_ago=9)
    assert contract_scan_reminders(today_local().isoformat())["reminded"] == 0
    assert contract_scan_reminders((today_local() + timedelta(days=1)).isoformat())["reminded"] == 1


def test_through_the_real_worker_one_email_however_many_ticks(app, users, smtp_sink):
    contract = _signed(users, "rep2", days_ago=4)
    queue = Queue(app.config["RQ_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"]))
    for _ in range(3):
        queue.enqueue("intranet.jobs.contracts.contract_scan_reminders")
    code, err = finish(start_worker(app), timeout=90)
    assert code == 0, err[-2000:]
    messages = smtp_sink.wait_for(1)
    assert len(smtp_sink.wait_for(2, timeout=1.5)) == 1
    assert messages[0]["To"] == users["rep2"].email
    assert contract.number in str(make_header(decode_header(messages[0]["Subject"])))
