"""More demo claims, one of each state: waiting for a supervisor, waiting for the manager (above the
manager's threshold), returned for a missing receipt, rejected, withdrawn and drafts — each with a
photographed receipt and office-hours timestamps. None is paid, so the petty-cash demo (expenses/demo.py)
keeps its balances. Idempotent (by title); made through the real services and the approval engine,
the notices removed again."""

from decimal import Decimal

from sqlalchemy import select

from ..demo import SEED_HOOKS, at_work, demo_image, forget_notices, working_day_back
from ..extensions import db
from ..models.expenses import ExpenseClaim
from ..services import approvals, expenses

# claimant, title, [(days back, category, amount, description)], receipt, decisions [(who, action, comment)]
# (decisions: None = stays a draft, "withdraw" = submitted then withdrawn), days back of submission
CLAIMS = [
    ("rep2", "南京、镇江客户拜访差旅", [(6, "travel", "412.00", "苏州—南京高铁往返、市内交通"),
                                  (5, "entertainment", "186.00", "招待南京紫金山客户工作餐")], "receipt-train", [], 4),
    ("rep1", "宁波客户回访差旅", [(8, "travel", "268.50", "杭州—宁波高铁往返")], "receipt-train", [], 3),
    ("rep3", "东莞、惠州客户拜访差旅", [(7, "travel", "318.00", "广州—东莞—惠州城际及打车")], "receipt-train", [], 5),
    ("rep4", "厦门水处理展会参展费用", [(12, "travel", "1460.00", "广州—厦门往返及住宿两晚"),
                                  (11, "entertainment", "980.00", "展会期间招待经销商晚餐"),
                                  (11, "print_brochure", "420.00", "展会彩页加印 300 份")], "receipt-meal",
     [("supervisor2", "approve", "情况属实，同意")], 9),
    ("rep1", "上海浦江酒店招待费", [(10, "entertainment", "560.00", "招待浦江酒店工程部")], "receipt-meal",
     [("supervisor1", "return", "缺少餐饮发票原件照片，请补充后重新提交。")], 8),
    ("rep4", "个人手机话费", [(15, "other", "199.00", "十月手机话费")], "receipt-courier",
     [("supervisor2", "reject", "手机话费已含在通讯补贴中，不能另行报销。")], 10),
    ("rep2", "常州样品寄送快递费", [(9, "sample_postage", "38.00", "寄常州龙城 PP 滤芯样品")], "receipt-courier",
     "withdraw", 7),
    ("rep3", "名片印刷", [(3, "print_card", "90.00", "名片两盒")], "receipt-print", None, 0),
    ("rep4", "珠海客户拜访交通费", [(2, "travel", "126.00", "佛山—珠海城际往返")], "receipt-train", None, 0),
    ("rep1", "绍兴越州客户样品快递", [(4, "sample_postage", "23.00", "顺丰寄绍兴越州样品")], "receipt-courier", [], 2),
]


def seed_more_claims(users) -> int:
    titles = set(db.session.scalars(select(ExpenseClaim.title)))
    created, requests = 0, []
    for who, title, lines, receipt, decisions, days in CLAIMS:
        if title in titles:
            continue
        claimant = users[who]
        claim = expenses.save_claim(claimant, None, title=title, lines=[
            {"category": category, "spent_on": working_day_back(back), "amount": Decimal(amount),
             "description": text} for back, category, amount, text in lines])
        expenses.attach_receipt(claimant, claim, f"{receipt}.png", demo_image(receipt))
        claim.created_at = at_work(max(days, 1) + 1, 17, 20)
        created += 1
        if decisions is None:
            continue
        request = expenses.submit_claim(claimant, claim)
        requests.append(request.id)
        if decisions == "withdraw":
            expenses.withdraw_claim(claimant, claim)
        else:
            for who_decides, action, comment in decisions:
                approvals.decide(users[who_decides], request.id, action, comment)
        _backdate(claim, request, days)
    forget_notices([*(f"approval:{i}:" for i in requests), "expense:"])
    return created


def _backdate(claim: ExpenseClaim, request, days: int) -> None:
    """Submitted in the morning `days` working days back; decided mid-morning the next working day."""
    submitted = at_work(days, 9, 35)
    claim.submitted_at = request.submitted_at = request.step_started_at = submitted
    for i, decision in enumerate(request.decisions):
        decision.at = max(at_work(max(days - 1, 0), 10 + i, 50), submitted)
        request.step_started_at = decision.at
        if request.finished_at:
            request.finished_at = decision.at
    db.session.flush()


if seed_more_claims not in SEED_HOOKS:
    SEED_HOOKS.append(seed_more_claims)
