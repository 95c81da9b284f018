"""The demo's past quarter (intranet/demo_history.py) on top of the base demo: every main list runs past
a page, the money still adds up, every stamp is in office hours on a working day, a second run adds
nothing, and every desk renders."""

import re
import shutil
from datetime import time
from pathlib import Path

import pytest
from conftest import _make_app
from sqlalchemy import func, inspect, select

from intranet.clock import SHANGHAI, is_workday, month_of, today_local
from intranet.demo_history import seed_history
from intranet.extensions import db
from intranet.models import (
    ApprovalDecision,
    ApprovalRequest,
    AttendanceRecord,
    Customer,
    DailySheet,
    IncomingPayment,
    Invoice,
    LedgerEntry,
    Order,
    PettyCashAccount,
    Receipt,
    ReturnRequest,
    Shipment,
    VisitPlan,
    VisitReport,
)
from intranet.models.contracts import Contract, Quotation
from intranet.models.expenses import Advance, AdvanceOffset, ExpenseClaim, ExpenseLine
from intranet.models.office import Minutes, Notice, NoticeRecipient, SealUse, Task, Tender
from intranet.models.types import UTCDateTime
from intranet.models.visits import FollowUp, PlannedVisit
from intranet.services import ledger

MODELS = (Customer, VisitPlan, PlannedVisit, VisitReport, FollowUp, ExpenseClaim, ExpenseLine, Advance,
          AdvanceOffset, Receipt, ApprovalRequest, ApprovalDecision, ReturnRequest, LedgerEntry, AttendanceRecord,
          Order, Shipment, Invoice, IncomingPayment, DailySheet, Quotation, Contract, Notice, NoticeRecipient, Minutes,
          Task, SealUse, Tender)
LISTS = ("/customers/", "/visits/reports", "/expenses/", "/returns/", "/orders/", "/daily/", "/samples/requests",
         "/office/mail", "/office/archive", "/contracts/", "/contracts/quotations", "/office/tenders", "/office/",
         "/office/minutes", "/office/seals")
DESKS = {"rep1": "rep", "rep3": "rep", "supervisor1": "supervisor", "supervisor2": "supervisor", "manager": "manager",
         "director": "director", "gm": "gm", "assistant": "assistant", "finance": "finance"}
PAGES = re.compile(r"第 1 / (\d+) 页")
# One process runs this module (make test runs --dist loadgroup), so the quarter is seeded once, not once a process.
pytestmark = pytest.mark.xdist_group("demo_history")


def _last_ids() -> dict:
    return {model: db.session.scalar(select(func.max(model.id))) or 0 for model in MODELS}


@pytest.fixture(scope="session")
def _history_templates(_templates, tmp_path_factory, redis_url):
    """The demo plus its quarter, seeded once per test process and clock instant (half a minute each):
    every test of this module starts from a copy, as the other tests start from the demo's."""
    built: dict[str, tuple[Path, tuple]] = {}

    def _for(key: str) -> tuple[Path, tuple]:
        if key not in built:
            folder = tmp_path_factory.mktemp("history")
            shutil.copytree(_templates(key), folder, dirs_exist_ok=True)
            app = _make_app(f"sqlite:///{folder / 'test.db'}", redis_url, folder)
            with app.app_context():
                before = {model.__name__: n for model, n in _last_ids().items()}
                created = seed_history()
                db.session.commit()
                db.session.remove()
                db.engine.dispose()
            built[key] = folder, (before, created)
        return built[key]

    return _for


@pytest.fixture
def _template_instance(_history_templates, frozen_clock, clock_instant) -> Path:
    """This module's tests open the demo with its quarter already seeded (see _history_templates)."""
    return _history_templates(clock_instant.isoformat())[0]


@pytest.fixture
def history(app, _history_templates, clock_instant):
    """(the last id of each model before the quarter was seeded, how many rows it created)."""
    before, created = _history_templates(clock_instant.isoformat())[1]
    return {model: before[model.__name__] for model in MODELS}, created


def test_every_main_list_has_more_than_one_page_for_the_manager(history, login, app):
    assert history[1] > 500
    manager = login("manager")
    for url in LISTS:
        page = manager.get(url)
        assert page.status_code == 200, url
        pages = PAGES.search(page.get_data(as_text=True))
        assert pages and int(pages.group(1)) >= 2, f"{url} has one page"
        second = manager.get(f"{url}?page=2")
        assert second.status_code == 200 and "第 2 / " in second.get_data(as_text=True), url
    assert int(PAGES.search(manager.get("/customers/").get_data(as_text=True)).group(1)) >= 3
    # the petty-cash statement (one month a page): this month runs past a page's worth of rows,
    # and the months before are there to turn to
    account = db.session.scalar(select(PettyCashAccount))
    month = month_of(today_local())
    st = ledger.statement(account, month)
    assert len(st.entries) > app.config["PAGE_SIZE"]
    assert len(ledger.periods(account)) >= 2
    text = manager.get(f"/ledger/?account={account.id}&period={month}").get_data(as_text=True)
    assert text.count("/ledger/entries/") > app.config["PAGE_SIZE"]


def test_the_ledger_verifies_and_the_claims_add_up(history):
    assert ledger.verify() == []
    account = db.session.scalar(select(PettyCashAccount))
    total = sum(e.amount for e in db.session.scalars(select(LedgerEntry).where(LedgerEntry.account_id == account.id)))
    assert account.balance == total >= 0
    for claim in db.session.scalars(select(ExpenseClaim)):
        assert claim.total == sum(line.amount for line in claim.lines)
        if claim.status == "paid":
            assert claim.offset_amount + claim.cash_amount == claim.total
            cash = db.session.get(LedgerEntry, claim.ledger_entry_id) if claim.ledger_entry_id else None
            assert (cash.amount if cash else 0) == -claim.cash_amount
    for advance in db.session.scalars(select(Advance).where(Advance.id > history[0][Advance])):
        parts = sum(o.amount for o in advance.offsets)
        assert advance.status == "settled" and parts == advance.offset_total + advance.returned_total == advance.amount


def test_every_new_stamp_is_in_office_hours_on_a_working_day(history):
    before, _ = history
    checked = 0
    for model in MODELS:
        columns = [c for c in inspect(model).columns if isinstance(c.type, UTCDateTime)]
        for row in db.session.scalars(select(model).where(model.id > before[model])):
            for column in columns:
                stamp = getattr(row, column.key)
                if stamp is None:
                    continue
                local = stamp.astimezone(SHANGHAI)
                assert time(8, 30) <= local.time() <= time(18, 30), f"{model.__name__}.{column.key} {local}"
                assert is_workday(local.date()), f"{model.__name__}.{column.key} on {local.date()}"
                checked += 1
    for day in [*db.session.scalars(select(PlannedVisit.date).where(PlannedVisit.id > before[PlannedVisit])),
                *db.session.scalars(select(ExpenseLine.spent_on).where(ExpenseLine.id > before[ExpenseLine])),
                *db.session.scalars(select(LedgerEntry.entry_date).where(LedgerEntry.id > before[LedgerEntry]))]:
        assert is_workday(day), day
    assert checked > 1000


def test_a_second_call_creates_nothing_and_sends_nothing(history, users):
    from intranet.models import Email, Todo

    counts = _last_ids()
    assert seed_history(users) == 0
    db.session.flush()
    assert _last_ids() == counts
    assert db.session.scalar(select(func.count(Email.id))) == 0
    assert db.session.scalar(select(func.count(Todo.id))) == 0


def test_every_desk_renders(history, login):
    for username, role in DESKS.items():
        response = login(username).get(f"/{role}/")
        assert response.status_code == 200, username


@pytest.mark.calendar(only=["1st-0800", "spring-festival-2027"])
def test_the_history_holds_on_awkward_days(history):
    before, created = history
    assert created > 300 and ledger.verify() == []
    for stamp in db.session.scalars(select(VisitReport.filed_at).where(VisitReport.id > before[VisitReport])):
        local = stamp.astimezone(SHANGHAI)
        assert time(8, 30) <= local.time() <= time(18, 30) and is_workday(local.date())
    assert db.session.scalar(select(func.count(ReturnRequest.id))) > 20


def test_the_registers_are_numbered_in_their_month_in_date_order_and_in_every_state(history):
    """Quotations, contracts, notices, seal uses and tenders: each number names the month (or year) it was
    written in and follows the order of the days; the states are spread as in a real quarter."""
    from intranet.models.approvals import ApprovalRequest as Request

    def local(stamp):
        return stamp.astimezone(SHANGHAI)

    for model, stamp, stem in ((Quotation, "created_at", lambda r: f"BJ-{local(r.created_at):%Y%m}-"),
                               (Contract, "created_at", lambda r: f"HT-{local(r.created_at):%Y%m}-"),
                               (SealUse, "created_at", lambda r: f"YY{local(r.created_at):%Y%m}-"),
                               (Notice, "issued_at", lambda r: f"TZ{local(r.issued_at):%Y}-"),
                               (Tender, "created_at", lambda r: f"ZB{local(r.created_at):%Y}-")):
        rows = list(db.session.scalars(select(model).order_by(getattr(model, stamp), model.id)))
        assert all(r.number.startswith(stem(r)) for r in rows), [r.number for r in rows if not r.number.startswith(stem(r))]
        by_month: dict = {}
        for r in rows:
            by_month.setdefault(stem(r), []).append(r.number)
        # this month too: the base demo's rows of today come after last quarter's, not before
        assert by_month and all(numbers == sorted(numbers) for numbers in by_month.values()), by_month
    quotes = set(db.session.scalars(select(Quotation.status)))
    assert {"draft", "pending", "returned", "rejected", "sent", "converted"} <= quotes, quotes
    deals = set(db.session.scalars(select(Contract.status)))
    assert {"pending", "returned", "approved", "signed"} <= deals, deals
    signed = list(db.session.scalars(select(Contract).where(Contract.status == "signed")))
    assert sum(c.original_received for c in signed) >= 8 and all(c.signed_on <= today_local() for c in signed)
    for contract in signed:
        assert local(contract.approved_at).date() <= contract.signed_on
    # a returned document carries the manager's reason in its history, with the reviewer's name
    returned = db.session.scalar(select(Request).where(Request.doc_type == "quotation", Request.status == "returned"))
    assert any(d.action == "return" and d.comment for d in returned.decisions)
    uses = list(db.session.scalars(select(SealUse)))
    assert sum(u.stamped_at is not None for u in uses) > len(uses) // 2 and {"rejected", "returned"} <= {u.status for u in uses}
    for use in uses:
        if use.stamped_at is not None:
            assert use.approved_at <= use.stamped_at
    notices = list(db.session.scalars(select(Notice)))
    reads = [r.read_at is not None for n in notices for r in n.recipients]
    assert len(notices) > 20 and 0.8 < sum(reads) / len(reads) < 1
    assert {t.outcome for t in db.session.scalars(select(Tender))} == {"open", "won", "lost", "abandoned"}
    checked = db.session.scalars(select(Task).where(Task.status == "checked")).all()
    assert len(checked) > 15 and all(t.done_at <= t.checked_at for t in checked)
