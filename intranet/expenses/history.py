"""Demo history of money: for each rep and each of the last three months a travel advance (借款) paid by
finance at the start of the month, two to four claims with a photographed receipt, approved by the line
(and the manager above the threshold) and offset against that advance (冲销), the rest of the advance
returned to finance at month end. The petty-cash ledger of the last months is already settled and locked
(expenses/demo.py), so claims approved late last month and this month's claims are paid from petty cash
this month, with the assistant's small spends (courier, printing) and a top-up from finance, each entry
with its receipt and checked by finance: this month's statement runs past a page.

Made through the real services and the approval engine (the ledger through its append-only functions,
so the balance and the hash chain hold); then the documents' stamps are moved to office hours on the
days they happened. The notices the services send are removed again. Idempotent (by claim title)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..clock import (
    SHANGHAI,
    add_months,
    local_instant,
    month_bounds,
    month_of,
    now_utc,
    today_local,
)
from ..demo import demo_image, forget_notices, next_working_day, working_days
from ..extensions import db
from ..models import LedgerEntry, Receipt
from ..models.expenses import OFFSET, PETTY_CASH, AdvanceOffset, ExpenseClaim
from ..services import advances, approvals, expenses, ledger

REPS = ("rep1", "rep2", "rep3", "rep4")
CITY = {"rep1": ("杭州", "宁波", "嘉兴"), "rep2": ("南京", "常州", "扬州"), "rep3": ("东莞", "惠州", "深圳"),
        "rep4": ("佛山", "珠海", "中山")}
# title, [(category, description, base amount)], receipt image
KINDS = [
    ("{city}客户拜访差旅", [("travel", "高铁往返及市内交通", "286.50"), ("entertainment", "招待客户工作餐", "168.00")],
     "receipt-train"),
    ("{city}客户招待费", [("entertainment", "招待{city}客户采购部晚餐", "420.00")], "receipt-meal"),
    ("{city}客户样品快递费", [("sample_postage", "顺丰寄{city}客户 PP 滤芯样品", "32.00")], "receipt-courier"),
    ("{city}区域彩页印刷", [("print_brochure", "UF/RO 系列彩页加印 200 份", "260.00")], "receipt-print"),
]
# the assistant's small spends from petty cash: category, memo, amount, receipt image
SPENDS = [
    ("courier", "顺丰快递：寄{city}客户合同", "23.00", "receipt-courier"),
    ("print_card", "名片印刷：{name}", "90.00", "receipt-print"),
    ("courier", "德邦物流：发{city}样品箱", "68.00", "receipt-courier"),
    ("print_brochure", "展会彩页印刷 300 份", "420.00", "receipt-print"),
    ("other", "办公室饮用水 10 桶", "150.00", "receipt-meal"),
    ("sample_postage", "样品邮寄：{city}客户 MEM-4040", "45.00", "receipt-courier"),
]
STATEMENT_ROWS = 24  # this month's petty-cash entries to reach (a page is 20)
HISTORY_DAYS = 90




def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """That wall-clock time in Shanghai (the callers only use days before today)."""
    return local_instant(day, hour, minute)


def _local_day(stamp: datetime) -> date:
    return stamp.astimezone(SHANGHAI).date()


def _amount(base: str, n: int) -> Decimal:
    return (Decimal(base) * (Decimal(100 + (n * 37) % 45) / 100)).quantize(Decimal("0.50"))


class _Run:
    def __init__(self, users):
        self.users, self.requests, self.created = users, [], 0
        self.titles = set(db.session.scalars(select(ExpenseClaim.title)))
        self.today, self.now = today_local(), now_utc()

    # ---- approvals ---------------------------------------------------------------------

    def approve(self, request, start: datetime) -> datetime:
        """Every remaining step approved by whoever holds it, in the working day after `start`."""
        self.requests.append(request.id)
        decided = start
        step = 0
        while request.status == "pending":
            holder = approvals.holders(request)[0]
            approvals.decide(holder, request.id, "approve", ("同意", "情况属实，同意", "同意报销")[step % 3])
            step += 1
        for i, decision in enumerate(sorted(request.decisions, key=lambda d: d.id)):
            if decision.action == "submit":
                decision.at = start
                continue
            decided = decision.at = max(start + timedelta(minutes=50 + 40 * i), decided + timedelta(minutes=30))
        request.submitted_at = start
        request.step_started_at = request.finished_at = decided
        return decided

    # ---- advances ----------------------------------------------------------------------

    def advance(self, rep, month: str, first_day: date):
        amount = Decimal("3000.00")
        advance = advances.save(rep, None, amount=amount, purpose=f"{int(month[5:])}月区域客户拜访差旅借款",
                                trip_start=first_day, trip_end=month_bounds(month)[1])
        start = _at(first_day, 9, 40)
        advance.created_at = start - timedelta(minutes=25)
        request = advances.submit(rep, advance)
        decided = self.approve(request, start)
        advance.approved_at = decided
        advances.pay_out(self.users["finance"], advance)
        advance.paid_at = decided + timedelta(hours=2)
        db.session.flush()
        self.created += 1
        return advance

    def settle(self, advance, day: date) -> None:
        rest = advance.outstanding
        if rest > 0:
            advances.record_return(self.users["finance"], advance, rest)
        stamp = _at(day, 16, 10)
        advance.settled_at = stamp
        for offset in advance.offsets:
            if offset.kind == "return":
                offset.created_at = stamp

    # ---- claims --------------------------------------------------------------------------

    def claim(self, rep, n: int, spent_on: date):
        title_t, lines, receipt = KINDS[n % len(KINDS)]
        city = CITY[rep.username][n % 3]
        title = f"{spent_on.month}月{spent_on.day}日{title_t.format(city=city)}"
        if title in self.titles:
            return None
        filed = _at(next_working_day(spent_on), 9, 20 + n % 30)
        if _local_day(filed) >= self.today:
            return None  # filed today or later: not part of the history
        self.titles.add(title)
        claim = expenses.save_claim(rep, None, title=title, lines=[
            {"category": category, "spent_on": spent_on, "amount": _amount(base, n + i),
             "description": text.format(city=city)} for i, (category, text, base) in enumerate(lines)])
        expenses.attach_receipt(rep, claim, f"{receipt}.png", demo_image(receipt))
        claim.created_at = filed - timedelta(minutes=12)
        for row in db.session.scalars(select(Receipt).where(Receipt.doc_type == "expense",
                                                            Receipt.doc_id == claim.id)):
            row.created_at = filed - timedelta(minutes=8)
        request = expenses.submit_claim(rep, claim)
        decided = self.approve(request, filed)
        claim.submitted_at, claim.approved_at = filed, decided
        self.created += 1
        return claim

    def pay(self, claim, method: str, day: date) -> None:
        expenses.pay_claim(self.users["assistant"], claim, method, on=day if method == PETTY_CASH else None)
        paid = max(_at(day, 15, 20), claim.approved_at + timedelta(minutes=30))
        claim.paid_at = paid
        for offset in db.session.scalars(select(AdvanceOffset).where(AdvanceOffset.claim_id == claim.id)):
            offset.created_at = paid


def seed_history_expenses(users) -> int:
    run = _Run(users)
    today = run.today
    this = month_of(today)
    start = today - timedelta(days=HISTORY_DAYS)
    to_cash: list[ExpenseClaim] = []  # approved too late for last month's offsets: paid this month
    this_days = [d for d in working_days(month_bounds(this)[0], today) if d < today]
    for r, username in enumerate(REPS):
        rep = users[username]
        for m in (-3, -2, -1):
            month = add_months(this, m)
            first, last = month_bounds(month)
            days = [d for d in working_days(max(first, start), last)]
            if len(days) < 4:
                continue
            count = 2 + (r + m) % 3
            spend_days = [days[(2 * k + 1) * len(days) // (2 * count)] for k in range(count)]
            claims = [c for k, d in enumerate(spend_days) if (c := run.claim(rep, r * 12 + (m + 3) * 4 + k, d))]
            if not claims:
                continue
            advance = run.advance(rep, month, days[0])
            for claim in claims:
                pay_day = next_working_day(_local_day(claim.approved_at))
                if pay_day <= last and pay_day < today:
                    run.pay(claim, OFFSET, pay_day)
                else:
                    to_cash.append(claim)
            run.settle(advance, days[-1])
        if this_days and len(this_days) >= 3:  # one claim of this month, spent on its first working day
            claim = run.claim(rep, r * 12 + 13, this_days[0])
            if claim is not None:
                to_cash.append(claim)
    if run.created:  # the claims were made just now: this is the first run
        _petty_cash(run, to_cash, this_days)
    db.session.flush()
    forget_notices([*(f"approval:{i}:" for i in run.requests), "expense:", "advance:"])
    return run.created


def _petty_cash(run: _Run, to_cash: list[ExpenseClaim], days: list[date]) -> None:
    """This month's petty cash, in date order: a top-up from finance, the waiting claims paid, the small
    spends with their receipts; most entries checked by finance, a few left for finance's queue."""
    if not days:
        return  # no working day of this month before today: the claims wait for payment
    assistant, finance = run.users["assistant"], run.users["finance"]
    account = ledger.account_for(assistant)
    if not account.entry_count:
        return  # the base demo's cash box is not there
    actions = []
    for k, claim in enumerate(to_cash):
        if k % 5 == 4:
            continue  # one in five still waits for payment (the assistant's desk shows it)
        day = max(days[k * len(days) // len(to_cash)], _local_day(claim.approved_at))
        actions.append((day, 1, k, claim))
    spends = max(0, STATEMENT_ROWS - _this_month_rows(account) - 1 - len(actions))
    actions += [(days[min(n * len(days) // max(spends, 1), len(days) - 1)], 2, n, None) for n in range(spends)]
    if account.balance < Decimal("6000.00"):
        ledger.confirm(finance, ledger.receive_from_finance(assistant, account, Decimal("5000.00"),
                                                            "向财务补借备用金", entry_date=days[0]))
        run.created += 1
    names = [u.name for u in run.users.values() if u.role == "rep"]
    for day, kind, n, claim in sorted(actions, key=lambda a: (a[0], a[1], a[2])):
        if kind == 1:
            if account.balance < claim.total:
                continue
            run.pay(claim, PETTY_CASH, day)
            entry = db.session.get(LedgerEntry, claim.ledger_entry_id)
        else:
            category, memo, amount, receipt = SPENDS[n % len(SPENDS)]
            amount = _amount(amount, n).quantize(Decimal("0.01"))
            if account.balance < amount:
                continue
            city = CITY[REPS[n % 4]][n % 3]
            entry = ledger.disburse(assistant, account, amount, category,
                                    memo.format(city=city, name=names[n % len(names)] if names else ""),
                                    entry_date=day)
            row = ledger.receipts.attach(assistant, "ledger_entry", entry.id, f"{receipt}.png", demo_image(receipt))
            row.created_at = _at(day, 11, 30 + n % 25)
        if (n + kind) % 6 != 5:
            ledger.confirm(finance, entry)
        run.created += 1


def _this_month_rows(account) -> int:
    return db.session.scalar(select(db.func.count(LedgerEntry.id)).where(
        LedgerEntry.account_id == account.id, LedgerEntry.period == month_of(today_local())))
