"""The petty-cash ledger (备用金台账): append-only, never negative, two-person, settled monthly.

Every movement goes through `_append`, which
- takes the audit chain lock first and then the account row (SELECT … FOR UPDATE), always in
  that order, so concurrent writers serialise without deadlocks;
- refuses a balance below zero (the CHECK constraints on the account and the entry back it up);
- refuses entries dated in a settled (locked) month, in the future, or before the latest entry's month;
- chains the entry's hash to the previous one and writes the hash into the audit trail, so
  `verify()` (run by `flask audit-verify`) catches a row edited or deleted behind the app's back.

Entries are never updated or deleted: a `before_flush` guard refuses it for the whole
application, except setting the confirmation (who/when) once. Corrections are reversals.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, event, exists, func, inspect, select
from sqlalchemy.orm import Session, aliased, selectinload

from ..clock import month_bounds, month_of, now_utc, today_local
from ..extensions import db
from ..models import AuditEntry, LedgerEntry, PeriodClose, PettyCashAccount, User
from ..models.ledger import (
    CLAIM_PAYMENT,
    DISBURSEMENT,
    ENTRY_KINDS,
    FLOAT_IN,
    GENESIS,
    LOCKED,
    PREPARED,
    RETURN_TO_FINANCE,
    REVERSAL,
    SENT_BACK,
    SETTLEMENT,
    SPEND_KINDS,
)
from ..models.sql import money_sum
from ..web.formatting import money
from . import audit, receipts
from .errors import AlreadyDecided, DomainError, Forbidden

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999.99")

KIND_LABELS = {
    FLOAT_IN: _l("借备用金"), DISBURSEMENT: _l("支出"), CLAIM_PAYMENT: _l("报销支付"),
    RETURN_TO_FINANCE: _l("归还财务"), REVERSAL: _l("冲正"), SETTLEMENT: _l("月底结算"),
}
# What the custodian records by hand (claim payments come from the claim page).
MANUAL_KINDS = (FLOAT_IN, DISBURSEMENT, RETURN_TO_FINANCE)
CATEGORY_LABELS = {
    "travel": _l("差旅"), "entertainment": _l("招待"), "courier": _l("快递"), "print_brochure": _l("印刷-彩页"),
    "print_card": _l("印刷-名片"), "promotion": _l("促销"), "sample_postage": _l("样品邮寄"), "other": _l("其他"),
}
SETTLEMENT_STATUS_LABELS = {PREPARED: _l("待财务确认"), LOCKED: _l("已结算锁定"), SENT_BACK: _l("财务退回")}

READERS = ("assistant", "finance", "manager", "director", "gm")
CONFIRMERS = ("finance", "manager")


# ---- amounts -------------------------------------------------------------------

def cents(amount) -> Decimal:
    """A positive Decimal with at most two places; floats are refused outright."""
    if isinstance(amount, float) or not isinstance(amount, Decimal | int):
        raise TypeError(f"money must be Decimal, not {type(amount).__name__}")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise DomainError(_l("金额格式不正确"), field="amount")
    if amount <= 0:
        raise DomainError(_l("金额必须大于零"), field="amount")
    if amount != amount.quantize(CENT):
        raise DomainError(_l("金额最多两位小数"), field="amount")
    if amount > MAX_AMOUNT:
        raise DomainError(_l("金额过大"), field="amount")
    return amount.quantize(CENT)


period_of = month_of  # a ledger period is a calendar month, "YYYY-MM"
period_bounds = month_bounds


def parse_period(text: str | None) -> str:
    """'2026-11' (or the current month when empty/invalid)."""
    try:
        year, month = (int(p) for p in (text or "").split("-"))
        return f"{date(year, month, 1):%Y-%m}"
    except (ValueError, TypeError):
        return period_of(today_local())


# ---- accounts and visibility ---------------------------------------------------------

def account_for(custodian: User) -> PettyCashAccount:
    """The custodian's cash box, created empty on first use."""
    account = db.session.scalar(select(PettyCashAccount).where(PettyCashAccount.custodian_id == custodian.id))
    if account is None:
        with force_locale("zh_CN"):  # stored in the company's language, shown in the reader's
            name = str(_l("%(name)s 的备用金", name=custodian.name))
        account = PettyCashAccount(name=name, custodian_id=custodian.id,
                                   balance=Decimal("0.00"), entry_count=0, last_hash=GENESIS)
        account.custodian = custodian
        db.session.add(account)
        db.session.flush()
        audit.record(custodian, "ledger.account.open", account, after={"custodian": custodian.username})
    return account


def find_account(custodian: User) -> PettyCashAccount | None:
    return db.session.scalar(select(PettyCashAccount).where(PettyCashAccount.custodian_id == custodian.id))


def can_read(user: User, account: PettyCashAccount | None = None) -> bool:
    return user.role in READERS or (account is not None and account.custodian_id == user.id)


def visible_accounts(user: User) -> list[PettyCashAccount]:
    if user.role not in READERS:
        return []
    return list(db.session.scalars(select(PettyCashAccount).options(selectinload(PettyCashAccount.custodian))
                                   .order_by(PettyCashAccount.id)))


def default_account(user: User) -> PettyCashAccount | None:
    """The user's own box (assistant), else the first one (finance, manager …). Never creates one."""
    own = find_account(user)
    if own is not None:
        return own
    accounts = visible_accounts(user)
    return accounts[0] if accounts else None


def get_account_or_404(user: User, account_id: int) -> PettyCashAccount:
    from flask import abort

    account = db.session.get(PettyCashAccount, account_id)
    if account is None or not can_read(user, account):
        abort(404)
    return account


def get_entry_or_404(user: User, entry_id: int) -> LedgerEntry:
    from flask import abort

    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None or not can_read(user, entry.account):
        abort(404)
    return entry


@receipts.visibility("ledger_entry")
def _receipt_visible(user, entry_id: int) -> bool:
    entry = db.session.get(LedgerEntry, entry_id)
    return entry is not None and can_read(user, entry.account)


# ---- appending ---------------------------------------------------------------------

def _digest(e: LedgerEntry) -> str:
    payload = json.dumps([
        e.prev_hash, e.account_id, e.seq, e.kind, f"{e.amount:.2f}", f"{e.balance:.2f}", e.category or "",
        e.entry_date.isoformat(), e.period, e.ref_type or "", e.ref_id, e.memo or "", e.recorded_by_id,
        e.reverses_id, e.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
    ], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock(account: PettyCashAccount) -> PettyCashAccount:
    """Re-read the account under a row lock (PostgreSQL); SQLite serialises writers already."""
    return db.session.scalar(select(PettyCashAccount).where(PettyCashAccount.id == account.id)
                             .with_for_update().execution_options(populate_existing=True))


def _require_custodian(actor: User, account: PettyCashAccount) -> None:
    if account.custodian_id != actor.id:
        raise Forbidden(_l("只有备用金保管人可以记账"))


def locked_periods(account_id: int) -> set[str]:
    return set(db.session.scalars(select(PeriodClose.period).where(
        PeriodClose.account_id == account_id, PeriodClose.locked.is_(True))))


def _last_period(account_id: int) -> str | None:
    return db.session.scalar(select(LedgerEntry.period).where(LedgerEntry.account_id == account_id)
                             .order_by(LedgerEntry.seq.desc()).limit(1))


def _check_date(account: PettyCashAccount, entry_date: date) -> str:
    period = period_of(entry_date)
    if entry_date > today_local():
        raise DomainError(_l("记账日期不能晚于今天"), field="entry_date")
    if period in locked_periods(account.id):
        raise DomainError(_l("%(period)s 已月底结算并锁定，不能再记入该月", period=period), field="entry_date")
    last = _last_period(account.id)
    if last and period < last:
        raise DomainError(_l("记账日期不能早于已有记录所在的月份（%(period)s）", period=last), field="entry_date")
    return period


def _append(actor: User, account: PettyCashAccount, kind: str, amount: Decimal, *, memo: str = "",
            category: str = "", ref_type: str = "", ref_id: int | None = None, entry_date: date | None = None,
            reverses: LedgerEntry | None = None, confirmed_by: User | None = None) -> LedgerEntry:
    """The one way an entry is written. `amount` is signed (+ in, − out)."""
    if isinstance(amount, float) or not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, not {type(amount).__name__}")
    assert kind in ENTRY_KINDS
    audit.lock()  # the audit chain lock first: every writer takes the locks in the same order
    account = _lock(account)
    entry_date = entry_date or today_local()
    period = _check_date(account, entry_date)
    new_balance = account.balance + amount
    if new_balance < 0:
        raise DomainError(_l("备用金余额不足：当前余额 %(balance)s，本次支出 %(amount)s",
                             balance=money(account.balance), amount=money(-amount)), field="amount")
    if new_balance > MAX_AMOUNT:
        raise DomainError(_l("金额过大"), field="amount")
    now = now_utc()
    entry = LedgerEntry(
        account_id=account.id, seq=account.entry_count + 1, kind=kind, amount=amount.quantize(CENT),
        balance=new_balance.quantize(CENT), category=category or "", entry_date=entry_date, period=period,
        ref_type=ref_type or "", ref_id=ref_id, memo=(memo or "").strip()[:200], recorded_by_id=actor.id,
        reverses_id=reverses.id if reverses else None, created_at=now, prev_hash=account.last_hash)
    if confirmed_by is not None:
        entry.confirmed_by_id, entry.confirmed_at = confirmed_by.id, now
    entry.hash = _digest(entry)
    db.session.add(entry)
    account.balance, account.entry_count, account.last_hash = entry.balance, entry.seq, entry.hash
    db.session.flush()
    audit.record(actor, "ledger.record", entry, after=_snapshot(entry))
    return entry


def _snapshot(e: LedgerEntry) -> dict:
    return {"account": e.account_id, "seq": e.seq, "kind": e.kind, "amount": e.amount, "balance": e.balance,
            "period": e.period, "date": e.entry_date.isoformat(), "ref": f"{e.ref_type}#{e.ref_id}" if e.ref_type else "",
            "memo": e.memo, "reverses": e.reverses_id, "confirmed_by": e.confirmed_by_id, "hash": e.hash}


def receive_from_finance(actor, account, amount, memo="", entry_date=None) -> LedgerEntry:
    """Cash borrowed from finance (借备用金)."""
    _require_custodian(actor, account)
    return _append(actor, account, FLOAT_IN, cents(amount), memo=memo or str(_l("向财务借备用金")),
                   entry_date=entry_date)


def disburse(actor, account, amount, category: str, memo: str, *, ref_type: str = "", ref_id=None,
             entry_date=None) -> LedgerEntry:
    """A small expense paid from the box (courier, printing …)."""
    _require_custodian(actor, account)
    if category not in CATEGORY_LABELS:
        raise DomainError(_l("请选择费用类别"), field="category")
    if not (memo or "").strip():
        raise DomainError(_l("请填写摘要（支付给谁、什么用途）"), field="memo")
    return _append(actor, account, DISBURSEMENT, -cents(amount), memo=memo, category=category,
                   ref_type=ref_type, ref_id=ref_id, entry_date=entry_date)


def pay_document(actor, account, amount, *, ref_type: str, ref_id: int, memo: str, category: str = "",
                 entry_date=None) -> LedgerEntry:
    """An approved claim paid in cash (报销支付): the entry references the document."""
    _require_custodian(actor, account)
    return _append(actor, account, CLAIM_PAYMENT, -cents(amount), memo=memo, category=category,
                   ref_type=ref_type, ref_id=ref_id, entry_date=entry_date)


def return_to_finance(actor, account, amount, memo="", entry_date=None) -> LedgerEntry:
    """Cash handed back to finance (归还)."""
    _require_custodian(actor, account)
    return _append(actor, account, RETURN_TO_FINANCE, -cents(amount), memo=memo or str(_l("归还财务")),
                   entry_date=entry_date)


def reverse(actor, entry: LedgerEntry, memo: str, entry_date=None) -> LedgerEntry:
    """The correction of a wrong entry: a new entry with the opposite amount (冲正)."""
    account = entry.account
    _require_custodian(actor, account)
    if not (memo or "").strip():
        raise DomainError(_l("请填写冲正原因"), field="memo")
    if entry.kind in (REVERSAL, SETTLEMENT):
        raise DomainError(_l("冲正记录和结算记录不能再冲正"))
    if db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry.id)):
        raise AlreadyDecided(_l("该记录已经冲正过"))
    return _append(actor, account, REVERSAL, -entry.amount, memo=memo, category=entry.category,
                   ref_type=entry.ref_type, ref_id=entry.ref_id, reverses=entry, entry_date=entry_date)


def reversed_ids(entry_ids) -> set[int]:
    ids = list(entry_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.in_(ids))))


# ---- two-person rule ------------------------------------------------------------------

def may_confirm(user: User, entry: LedgerEntry) -> bool:
    return user.role in CONFIRMERS and entry.recorded_by_id != user.id and entry.confirmed_by_id is None


def confirm(actor: User, entry: LedgerEntry) -> LedgerEntry:
    """Finance or the manager checks an entry the custodian recorded (复核) — never the same person."""
    if actor.role not in CONFIRMERS:
        raise Forbidden(_l("只有财务或销售经理可以复核备用金记录"))
    if entry.recorded_by_id == actor.id:
        raise Forbidden(_l("不能复核自己记录的账目（双人复核）"))
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.id == entry.id).with_for_update()
                              .execution_options(populate_existing=True))
    if entry.confirmed_by_id is not None:
        raise AlreadyDecided(_l("该记录已由 %(name)s 复核", name=entry.confirmed_by.name))
    entry.confirmed_by_id, entry.confirmed_at = actor.id, now_utc()
    db.session.flush()
    audit.record(actor, "ledger.confirm", entry, after={"seq": entry.seq, "hash": entry.hash,
                                                        "confirmed_by": actor.id})
    return entry


def confirm_many(actor: User, entry_ids: list[int]) -> dict[int, str | None]:
    results = {}
    for entry_id in sorted(set(entry_ids)):
        entry = db.session.get(LedgerEntry, entry_id)
        try:
            if entry is None:
                raise DomainError(_l("记录不存在"))
            with db.session.begin_nested():
                confirm(actor, entry)
            results[entry_id] = None
        except DomainError as exc:
            results[entry_id] = str(exc.message)
    return results


def unconfirmed(account_ids=None, for_user: User | None = None):
    stmt = (select(LedgerEntry).where(LedgerEntry.confirmed_by_id.is_(None))
            .options(selectinload(LedgerEntry.recorded_by), selectinload(LedgerEntry.account))
            .order_by(LedgerEntry.id))
    if account_ids is not None:
        stmt = stmt.where(LedgerEntry.account_id.in_(list(account_ids)))
    if for_user is not None:
        stmt = stmt.where(LedgerEntry.recorded_by_id != for_user.id)
    return stmt


# ---- statements ------------------------------------------------------------------------

@dataclass
class Statement:
    account: PettyCashAccount
    period: str
    opening: Decimal
    received: Decimal = Decimal("0.00")
    spent: Decimal = Decimal("0.00")
    returned: Decimal = Decimal("0.00")
    closing: Decimal = Decimal("0.00")
    entries: list[LedgerEntry] = field(default_factory=list)
    reversed: set[int] = field(default_factory=set)
    receipt_counts: dict[int, int] = field(default_factory=dict)
    settlement: PeriodClose | None = None
    # A statement of one page (statement_page): `entries` is that page, the month's counts come from SQL.
    page: object | None = None
    counted: dict[str, int] | None = None

    @property
    def unconfirmed_count(self) -> int:
        return self.counted["unconfirmed"] if self.counted is not None else len(self.unconfirmed)

    @property
    def unbacked_count(self) -> int:
        return self.counted["unbacked"] if self.counted is not None else len(self.unbacked)

    @property
    def unconfirmed(self) -> list[LedgerEntry]:
        return [e for e in self.entries if e.confirmed_by_id is None]

    @property
    def unbacked(self) -> list[LedgerEntry]:
        """Spends with neither a receipt nor a document reference."""
        return [e for e in self.entries if e.kind in SPEND_KINDS and not e.ref_type
                and not self.receipt_counts.get(e.id)]


def _balance_before(account_id: int, period: str) -> Decimal:
    last = db.session.scalar(select(LedgerEntry.balance).where(
        LedgerEntry.account_id == account_id, LedgerEntry.period < period).order_by(LedgerEntry.seq.desc()).limit(1))
    return last if last is not None else Decimal("0.00")


def statement(account: PettyCashAccount, period: str) -> Statement:
    """Opening + received − spent − returned = closing, with the entries of the month in order."""
    entries = list(db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.account_id == account.id, LedgerEntry.period == period)
        .options(selectinload(LedgerEntry.recorded_by), selectinload(LedgerEntry.confirmed_by),
                 selectinload(LedgerEntry.reverses)).order_by(LedgerEntry.seq)))
    st = Statement(account=account, period=period, opening=_balance_before(account.id, period), entries=entries)
    for e in entries:
        kind = e.reverses.kind if e.kind == REVERSAL and e.reverses is not None else e.kind
        if kind == FLOAT_IN:
            st.received += e.amount
        elif kind in SPEND_KINDS:
            st.spent -= e.amount
        elif kind == RETURN_TO_FINANCE:
            st.returned -= e.amount
    st.closing = st.opening + st.received - st.spent - st.returned
    last_balance = entries[-1].balance if entries else st.opening
    if st.closing != last_balance:  # the books do not add up: a row was changed behind the app's back
        raise DomainError(_l("账目不平：期末余额 %(a)s 与最后一笔记录的余额 %(b)s 不一致，请运行审计校验",
                             a=money(st.closing), b=money(last_balance)))
    st.reversed = reversed_ids(e.id for e in entries)
    st.receipt_counts = receipts.counts("ledger_entry", [e.id for e in entries])
    st.settlement = db.session.scalar(select(PeriodClose).where(
        PeriodClose.account_id == account.id, PeriodClose.period == period))
    return st


def statement_page(account: PettyCashAccount, period: str) -> Statement:
    """The month page: the same figures as statement(), summed and counted in the database, and one page
    of the entries (a busy box records hundreds a month). A constant number of statements."""
    from ..models import Receipt
    from ..web.pagination import paginate

    month = (LedgerEntry.account_id == account.id, LedgerEntry.period == period)
    original = aliased(LedgerEntry)
    kind = func.coalesce(original.kind, LedgerEntry.kind)  # a reversal counts as the kind it reverses
    sums = dict(db.session.execute(
        select(kind, money_sum(LedgerEntry.amount)).outerjoin(original, LedgerEntry.reverses_id == original.id)
        .where(*month).group_by(kind)).all())
    st = Statement(account=account, period=period, opening=_balance_before(account.id, period))
    zero = Decimal("0.00")
    st.received = sums.get(FLOAT_IN) or zero
    st.spent = -sum((sums.get(k) or zero for k in SPEND_KINDS), zero)
    st.returned = -(sums.get(RETURN_TO_FINANCE) or zero)
    st.closing = st.opening + st.received - st.spent - st.returned
    last_balance = db.session.scalar(select(LedgerEntry.balance).where(*month)
                                     .order_by(LedgerEntry.seq.desc()).limit(1))
    last_balance = st.opening if last_balance is None else last_balance
    if st.closing != last_balance:
        raise DomainError(_l("账目不平：期末余额 %(a)s 与最后一笔记录的余额 %(b)s 不一致，请运行审计校验",
                             a=money(st.closing), b=money(last_balance)))
    has_receipt = exists().where(Receipt.doc_type == "ledger_entry", Receipt.doc_id == LedgerEntry.id)
    unconfirmed, unbacked = db.session.execute(select(
        func.count(case((LedgerEntry.confirmed_by_id.is_(None), 1))),
        func.count(case((and_(LedgerEntry.kind.in_(SPEND_KINDS), LedgerEntry.ref_type == "", ~has_receipt), 1))),
    ).where(*month)).one()
    st.counted = {"unconfirmed": unconfirmed, "unbacked": unbacked}
    st.page = paginate(select(LedgerEntry).where(*month)
                       .options(selectinload(LedgerEntry.recorded_by), selectinload(LedgerEntry.confirmed_by),
                                selectinload(LedgerEntry.reverses)).order_by(LedgerEntry.seq))
    st.entries = list(st.page.items)
    st.reversed = reversed_ids(e.id for e in st.entries)
    st.receipt_counts = receipts.counts("ledger_entry", [e.id for e in st.entries])
    st.settlement = db.session.scalar(select(PeriodClose).where(
        PeriodClose.account_id == account.id, PeriodClose.period == period))
    return st


def periods(account: PettyCashAccount) -> list[str]:
    """Months with entries (newest first), plus the current month."""
    found = set(db.session.scalars(select(LedgerEntry.period).where(LedgerEntry.account_id == account.id).distinct()))
    found.add(period_of(today_local()))
    return sorted(found, reverse=True)


# ---- month-end settlement ------------------------------------------------------------------

def settlement_problems(st: Statement) -> list[str]:
    problems = []
    for e in st.unconfirmed:
        problems.append(str(_l("第 %(seq)d 笔（%(memo)s）尚未复核", seq=e.seq, memo=e.memo)))
    for e in st.unbacked:
        problems.append(str(_l("第 %(seq)d 笔支出（%(memo)s）没有票据或单据", seq=e.seq, memo=e.memo)))
    return problems


def prepare_settlement(actor: User, account: PettyCashAccount, period: str) -> PeriodClose:
    """The custodian closes a finished month: figures computed, every spend backed, every entry confirmed."""
    _require_custodian(actor, account)
    audit.lock()
    account = _lock(account)
    if period >= period_of(today_local()):
        raise DomainError(_l("只能结算已经结束的月份"), field="period")
    earlier = _earlier_unsettled(account, period)
    if earlier:
        raise DomainError(_l("请先结算 %(period)s", period=earlier), field="period")
    row = db.session.scalar(select(PeriodClose).where(PeriodClose.account_id == account.id,
                                                      PeriodClose.period == period))
    if row is not None and row.status != SENT_BACK:
        raise AlreadyDecided(_l("%(period)s 已提交结算", period=period))
    st = statement(account, period)
    problems = settlement_problems(st)
    if problems:
        raise DomainError("；".join(problems[:5]) + ("…" if len(problems) > 5 else ""), field="period")
    if row is None:
        row = PeriodClose(account_id=account.id, period=period, prepared_by_id=actor.id)
        db.session.add(row)
    _fill(row, st)
    row.status, row.prepared_by_id, row.prepared_at, row.comment = PREPARED, actor.id, now_utc(), ""
    db.session.flush()
    audit.record(actor, "ledger.settlement.prepare", row, after=_settlement_snapshot(row))
    return row


def _fill(row: PeriodClose, st: Statement) -> None:
    row.opening, row.received, row.spent = st.opening, st.received, st.spent
    row.returned, row.closing, row.entry_count = st.returned, st.closing, len(st.entries)


def _settlement_snapshot(row: PeriodClose) -> dict:
    return {"period": row.period, "opening": row.opening, "received": row.received, "spent": row.spent,
            "returned": row.returned, "closing": row.closing, "entries": row.entry_count, "status": row.status}


def _earlier_unsettled(account: PettyCashAccount, period: str) -> str | None:
    earlier = set(db.session.scalars(select(LedgerEntry.period).where(
        LedgerEntry.account_id == account.id, LedgerEntry.period < period).distinct()))
    missing = sorted(earlier - locked_periods(account.id))
    return missing[0] if missing else None


def confirm_settlement(actor: User, row: PeriodClose) -> PeriodClose:
    """Finance checks the figures against the ledger and locks the month (a 月底结算 marker is appended)."""
    if actor.role != "finance":
        raise Forbidden(_l("只有财务可以确认月底结算"))
    if row.prepared_by_id == actor.id:
        raise Forbidden(_l("不能确认自己提交的结算（双人复核）"))
    audit.lock()
    row = db.session.scalar(select(PeriodClose).where(PeriodClose.id == row.id).with_for_update()
                            .execution_options(populate_existing=True))
    if row.status != PREPARED:
        raise AlreadyDecided(_l("该结算已处理"))
    st = statement(row.account, row.period)
    if (st.closing, len(st.entries)) != (row.closing, row.entry_count) or settlement_problems(st):
        raise DomainError(_l("提交结算后账目又有变动，请退回让保管人重新结算"))
    preparer = db.session.get(User, row.prepared_by_id)
    _append(preparer, row.account, SETTLEMENT, Decimal("0.00"), ref_type="period_close", ref_id=row.id,
            memo=str(_l("%(period)s 月底结算：期末余额 %(closing)s", period=row.period, closing=money(row.closing))),
            confirmed_by=actor)
    row.status, row.locked = LOCKED, True
    row.confirmed_by_id, row.confirmed_at = actor.id, now_utc()
    db.session.flush()
    audit.record(actor, "ledger.settlement.confirm", row, after=_settlement_snapshot(row))
    return row


def send_back_settlement(actor: User, row: PeriodClose, comment: str) -> PeriodClose:
    if actor.role != "finance":
        raise Forbidden(_l("只有财务可以退回月底结算"))
    if not (comment or "").strip():
        raise DomainError(_l("请填写退回原因"), field="comment")
    if row.status != PREPARED:
        raise AlreadyDecided(_l("该结算已处理"))
    row.status, row.comment = SENT_BACK, comment.strip()[:200]
    db.session.flush()
    audit.record(actor, "ledger.settlement.send_back", row, after={"period": row.period, "comment": row.comment})
    return row


def settlements(account: PettyCashAccount) -> list[PeriodClose]:
    return list(db.session.scalars(select(PeriodClose).where(PeriodClose.account_id == account.id)
                                   .options(selectinload(PeriodClose.prepared_by), selectinload(PeriodClose.confirmed_by))
                                   .order_by(PeriodClose.period.desc())))


def pending_settlements():
    return list(db.session.scalars(select(PeriodClose).where(PeriodClose.status == PREPARED)
                                   .order_by(PeriodClose.period)))


# ---- integrity --------------------------------------------------------------------------

def verify() -> list[str]:
    """Every account's chain, sequence and running balances, cross-checked with the audit trail."""
    recorded = {}
    confirmations = {}
    for entry in db.session.scalars(select(AuditEntry).where(
            AuditEntry.object_type == "LedgerEntry", AuditEntry.action.in_(("ledger.record", "ledger.confirm")))):
        if entry.action == "ledger.record":
            recorded[entry.object_id] = (entry.after or {}).get("hash")
        else:
            confirmations[entry.object_id] = (entry.after or {}).get("confirmed_by")
    problems = []
    seen = set()
    for account in db.session.scalars(select(PettyCashAccount).order_by(PettyCashAccount.id)):
        problems += _verify_account(account, recorded, confirmations, seen)
    for missing in sorted(set(recorded) - seen):
        problems.append(f"ledger entry #{missing} is in the audit trail but no longer in the ledger")
    return problems


def _verify_account(account, recorded, confirmations, seen) -> list[str]:
    problems = []
    prev_hash, balance, seq = GENESIS, Decimal("0.00"), 0
    stmt = select(LedgerEntry).where(LedgerEntry.account_id == account.id).order_by(LedgerEntry.seq, LedgerEntry.id)
    for e in db.session.scalars(stmt).yield_per(500):
        seen.add(e.id)
        seq += 1
        where = f"account #{account.id} entry #{e.id} (seq {e.seq})"
        if e.seq != seq:
            problems.append(f"{where}: expected seq {seq} — an entry is missing")
            seq = e.seq
        if e.prev_hash != prev_hash or _digest(e) != e.hash:
            problems.append(f"{where}: content or link changed (hash mismatch)")
        if recorded.get(e.id) != e.hash:
            problems.append(f"{where}: differs from its audit record")
        balance += e.amount
        if e.balance != balance:
            problems.append(f"{where}: running balance {e.balance} != {balance}")
            balance = e.balance
        if e.confirmed_by_id is not None and confirmations.get(e.id) != e.confirmed_by_id and e.kind != SETTLEMENT:
            problems.append(f"{where}: confirmation not in the audit trail")
        prev_hash = e.hash
    if account.balance != balance or account.last_hash != prev_hash or account.entry_count != seq:
        problems.append(f"account #{account.id}: balance/head {account.balance} does not match its entries {balance}")
    return problems


# ---- append-only guards ---------------------------------------------------------------------

_CONFIRMATION = {"confirmed_by_id", "confirmed_at", "confirmed_by"}


class LedgerIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _append_only(session, flush_context, instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, LedgerEntry):
            raise LedgerIsAppendOnly("ledger entries are never deleted; record a reversal")
        if isinstance(obj, PeriodClose) and obj.locked:
            raise LedgerIsAppendOnly("a settled month is never deleted")
    for obj in session.dirty:
        if isinstance(obj, LedgerEntry):
            _check_entry_update(obj)
        elif isinstance(obj, PeriodClose):
            _check_close_update(obj)


def _changed(obj) -> dict:
    state = inspect(obj)
    return {attr.key: attr.history for attr in state.attrs if attr.history.has_changes()}


def _check_entry_update(entry: LedgerEntry) -> None:
    changed = _changed(entry)
    if not changed:
        return
    if set(changed) - _CONFIRMATION:
        raise LedgerIsAppendOnly(f"ledger entries are never edited (tried to change {sorted(changed)})")
    for key in ("confirmed_by_id", "confirmed_at"):
        history = changed.get(key)
        if history and any(v is not None for v in history.deleted):
            raise LedgerIsAppendOnly("a ledger entry is confirmed once")


def _check_close_update(row: PeriodClose) -> None:
    changed = _changed(row)
    locked = changed.get("locked")
    was_locked = row.locked if locked is None else any(locked.deleted)
    if changed and was_locked:
        raise LedgerIsAppendOnly("a settled month is locked")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_edits(state) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None and \
            state.bind_mapper.class_ in (LedgerEntry, PeriodClose):
        raise LedgerIsAppendOnly("ledger rows are never bulk-updated or deleted")
