"""Demo money: last month's petty cash settled and locked (a float of ¥2,000.00, two small
disbursements, the rest returned to finance, settlement prepared by the assistant and confirmed by
finance); this month the assistant's float of ¥5,000.00 from finance, a few small disbursements (two
checked by finance, one waiting), rep1's travel claim approved by supervisor1 and waiting to be paid, a draft of rep2, and
rep3's trip advance, paid out. Idempotent (skipped once the assistant's cash box has entries). Made
through the real services and the approval engine; the notices they send are removed again."""

from datetime import timedelta
from decimal import Decimal

from ..clock import today_local
from ..demo import SEED_HOOKS, demo_image, forget_notices
from ..services import advances, approvals, expense_budgets, expenses, ledger, promotions

RECEIPT = demo_image("receipt-print")  # a photographed invoice (small vendored PNG)

DISBURSEMENTS = [  # (days into the month, amount, category, memo, confirmed)
    (1, "23.00", "courier", "顺丰快递：寄杭州清源合同", True),
    (2, "680.00", "print_brochure", "彩页印刷 500 份（RO 系列）", True),
    (3, "120.00", "print_card", "名片印刷：吴磊", False),
]


LAST_MONTH = [  # (day of last month, amount, category, memo)
    (6, "35.00", "courier", "顺丰快递：寄广州珠江样品"),
    (18, "277.00", "print_brochure", "彩页印刷 200 份（UF 系列）"),
]


def _day(offset: int):
    """A day of the current month (never in the future), so the demo month is one period."""
    today = today_local()
    return today.replace(day=min(today.day, 1 + offset))


def _settled_last_month(assistant, finance, account) -> int:
    """A month already closed: float in, two spends with receipts, the rest back to finance, locked."""
    last = today_local().replace(day=1) - timedelta(days=1)
    entry = ledger.receive_from_finance(assistant, account, Decimal("2000.00"), "向财务借备用金",
                                        entry_date=last.replace(day=2))
    ledger.confirm(finance, entry)
    for day, amount, category, memo in LAST_MONTH:
        entry = ledger.disburse(assistant, account, Decimal(amount), category, memo, entry_date=last.replace(day=day))
        ledger.receipts.attach(assistant, "ledger_entry", entry.id, "receipt.png", RECEIPT)
        ledger.confirm(finance, entry)
    entry = ledger.return_to_finance(assistant, account, account.balance, "月底余款交回财务", entry_date=last)
    ledger.confirm(finance, entry)
    row = ledger.prepare_settlement(assistant, account, ledger.period_of(last))
    ledger.confirm_settlement(finance, row)
    return 6


def seed_expenses(users) -> int:
    assistant, finance = users["assistant"], users["finance"]
    account = ledger.account_for(assistant)
    if account.entry_count:
        return 0
    created = _settled_last_month(assistant, finance, account)
    float_in = ledger.receive_from_finance(assistant, account, Decimal("5000.00"), "向财务借备用金", entry_date=_day(0))
    ledger.confirm(finance, float_in)
    created += 2
    for offset, amount, category, memo, confirmed in DISBURSEMENTS:
        entry = ledger.disburse(assistant, account, Decimal(amount), category, memo, entry_date=_day(offset))
        ledger.receipts.attach(assistant, "ledger_entry", entry.id, "receipt.png", RECEIPT)
        if confirmed:
            ledger.confirm(finance, entry)
        created += 2
    created += _claims(users) + _advance(users) + _promotion(users) + _budgets(users)
    _forget_notices([approvals.request_for(t, i).id for t, i in _SUBMITTED])
    return created


_SUBMITTED: list[tuple[str, int]] = []


def _claims(users) -> int:
    today = today_local()
    claim = expenses.save_claim(users["rep1"], None, title="上海客户拜访差旅", lines=[
        {"category": "travel", "spent_on": _day(0), "amount": Decimal("356.50"),
         "description": "杭州—上海高铁往返"},
        {"category": "entertainment", "spent_on": _day(1), "amount": Decimal("280.00"),
         "description": "招待上海华润客户午餐"}])
    expenses.attach_receipt(users["rep1"], claim, "高铁票.png", demo_image("receipt-train"))
    request = expenses.submit_claim(users["rep1"], claim)
    _SUBMITTED.append(("expense", claim.id))
    approvals.decide(users["supervisor1"], request.id, "approve")  # now waiting for the assistant to pay
    expenses.save_claim(users["rep2"], None, title="样品寄送", lines=[
        {"category": "sample_postage", "spent_on": today, "amount": Decimal("45.00"), "description": "PP 滤芯样品寄苏州"}])
    return 3


def _budgets(users) -> int:
    """This month's budgets the director set: the department, rep1's region and rep1's travel."""
    director, rep1, period = users["director"], users["rep1"], ledger.period_of(today_local())
    expense_budgets.set_budget(director, period=period, target="department", category="all",
                               amount=Decimal("200000.00"))
    if rep1.region_id:
        expense_budgets.set_budget(director, period=period, target=f"r{rep1.region_id}", category="all",
                                   amount=Decimal("60000.00"))
    expense_budgets.set_budget(director, period=period, target=f"u{rep1.id}", category="travel",
                               amount=Decimal("20000.00"))
    return 3


def _advance(users) -> int:
    today = today_local()
    rep3 = users["rep3"]
    advance = advances.save(rep3, None, amount=Decimal("3000.00"), purpose="深圳、东莞客户拜访差旅借款",
                            trip_start=today, trip_end=today + timedelta(days=4))
    request = advances.submit(rep3, advance)
    _SUBMITTED.append(("advance", advance.id))
    approvals.decide(users["supervisor2"], request.id, "approve")
    approvals.decide(users["manager"], request.id, "approve")
    advances.pay_out(users["finance"], advance)
    return 1


def _promotion(users) -> int:
    """rep1's dealer event, approved by supervisor1, waiting for its write-off (核销)."""
    today = today_local()
    rep1 = users["rep1"]
    promotion = promotions.save(rep1, None, activity="杭州经销商净水设备推介会", location="杭州清源水处理设备有限公司",
                                starts_on=today, ends_on=today + timedelta(days=1), plan="产品演示、订货优惠政策讲解",
                                lines=[{"item": "场地租赁", "amount": Decimal("800.00"), "description": "半天"},
                                       {"item": "彩页与礼品", "amount": Decimal("650.00"), "description": ""}])
    request = promotions.submit(rep1, promotion)
    _SUBMITTED.append(("promotion", promotion.id))
    approvals.decide(users["supervisor1"], request.id, "approve")
    return 1


def _forget_notices(request_ids: list[int]) -> None:
    forget_notices([*(f"approval:{i}:" for i in request_ids), "expense:", "advance:"])
    _SUBMITTED.clear()


if seed_expenses not in SEED_HOOKS:
    SEED_HOOKS.append(seed_expenses)
