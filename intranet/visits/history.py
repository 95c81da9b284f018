"""Demo history: an approved visit plan per rep for each of the last three months (and this month for the
reps whose desk had none), about ten visits a month on working days, each reported by the rep before the
deadline and reviewed by the supervisor within a working day or two. Written as rows with their stamps
(no approval requests, no notices), like visits/demo.py. Idempotent: a rep's month is skipped when the
rep has any plan for it."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..clock import add_months, is_workday, local_instant, month_bounds, month_of, now_utc, today_local
from ..demo import next_working_day, spread, working_days
from ..extensions import db
from ..models.customers import Customer
from ..models.visits import FollowUp, PlannedVisit, VisitPlan, VisitReport

REPS = (("rep1", "supervisor1"), ("rep2", "supervisor1"), ("rep3", "supervisor2"), ("rep4", "supervisor2"))
PER_MONTH = 10
HISTORY_DAYS = 90

# purpose, items, outcome, promise (or "")
VISITS = [
    ("客户维护", "PP 棉滤芯样品", "设备运行稳定，客户对售后响应速度满意，下季度滤芯按原量采购。", ""),
    ("结清货款", "对账单", "已核对上月发货与开票，客户同意月底前付清余款。", "月底前再电话确认付款进度"),
    ("新产品推广", "RO-1000 宣传册", "向设备科介绍 RO-1000，客户对产水率感兴趣，要求出技术方案。", "一周内发送技术方案和报价"),
    ("市场调查", "竞品对比表", "了解到当地新建两家食品厂，纯水设备尚未招标，已留联系方式。", ""),
    ("了解竞争对手", "竞品报价单", "竞争对手报价低约 8%，但交货期 45 天；客户更看重我司的交货期和售后。", ""),
    ("开发新客户", "公司资质、彩页", "首次拜访，见到采购负责人，客户下月有一台软水器的更换需求。", "下月初回访并带样机资料"),
    ("客户维护", "滤芯更换记录表", "现场检查 UF 机组，建议三个月内更换保安过滤器滤芯。", "寄送滤芯报价单"),
    ("结清货款", "发票复印件", "客户财务已排款，预计下周到账；顺便收集了明年采购计划。", ""),
    ("新产品推广", "UV 系列彩页", "演示紫外线杀菌器，客户计划在二期项目中选用 UV-30。", "跟进二期项目招标时间"),
    ("客户维护", "年度服务协议", "续签年度维保协议的条款已谈妥，客户法务审核中。", "协议盖章后寄回一份"),
    ("开发新客户", "样品 MEM-4040", "客户现用进口膜元件，同意试用我司 MEM-4040 两支。", "三周后回访试用效果"),
    ("市场调查", "", "走访开发区内五家企业，三家有纯水需求，已整理名单报主管。", ""),
]
REVIEWS = ["已阅，按计划跟进。", "很好，注意跟进报价进度。", "已阅。回款情况每周报一次。", "同意，试用结果出来后及时反馈。",
           "已阅，下次拜访带上技术人员。", "好，保持联系频率。"]





def _stamp(day: date, hour: int, minute: int, ceiling: datetime) -> datetime | None:
    stamp = local_instant(day, hour, minute)
    return stamp if stamp <= ceiling else None


def _months(today: date) -> list[str]:
    this = month_of(today)
    return [add_months(this, -3), add_months(this, -2), add_months(this, -1), this]


def seed_history_visits(users) -> int:
    today, now = today_local(), now_utc()
    start = today - timedelta(days=HISTORY_DAYS)
    created = 0
    for r, (rep_name, boss_name) in enumerate(REPS):
        rep, boss = users[rep_name], users[boss_name]
        customers = list(db.session.scalars(select(Customer).where(Customer.owner_id == rep.id,
                                                                   Customer.stage != "dormant")
                                            .order_by(Customer.id)))
        if not customers:
            continue
        planned = set(db.session.scalars(select(VisitPlan.month).where(VisitPlan.rep_id == rep.id)))
        for m, month in enumerate(_months(today)):
            if month in planned:
                continue
            first, last = month_bounds(month)
            days = spread(working_days(max(first, start), last), PER_MONTH)
            if not days:
                continue
            created += _plan(rep, boss, month, days, customers, r * 40 + m * PER_MONTH, today, now)
    db.session.flush()
    return created


def _plan(rep, boss, month, days, customers, n0, today, now) -> int:
    first, _ = month_bounds(month)
    submit_day = first - timedelta(days=4)
    while not is_workday(submit_day):
        submit_day -= timedelta(days=1)
    submitted = local_instant(submit_day, 16, 10 + n0 % 30)
    plan = VisitPlan(rep=rep, month=month, status="approved", created_at=submitted - timedelta(hours=5),
                     submitted_at=submitted, approved_at=local_instant(next_working_day(submit_day), 9, 45))
    if plan.approved_at > now:
        return 0
    db.session.add(plan)
    created = 1
    for i, day in enumerate(days):
        n = n0 + i
        purpose, items, outcome, promise = VISITS[n % len(VISITS)]
        row = PlannedVisit(customer=customers[n % len(customers)], date=day, hours=Decimal("2.0") + n % 3,
                           purpose=purpose, items=items, expected_cost=Decimal(("80.00", "120.00", "150.00")[n % 3]))
        plan.visits.append(row)
        created += 1
        if day >= today:
            continue  # not yet visited
        filed_day = next_working_day(day) if n % 3 == 0 and (next_working_day(day) - day).days == 1 else day
        filed = _stamp(filed_day, 9, 5 + n % 20, now) if filed_day != day else _stamp(day, 17, 5 + n % 40, now)
        if filed is None:
            continue
        report = VisitReport(rep=rep, planned_visit=row, customer=row.customer, visit_date=day, outcome=outcome,
                             promises=promise, filed_at=filed)
        reviewed = _stamp(next_working_day(filed_day), 10 + n % 6, 15 + n % 40, now)
        if reviewed is not None and reviewed > filed:
            report.reviewed_by, report.reviewed_at = boss, reviewed
            report.review_comment = REVIEWS[n % len(REVIEWS)]
        if promise:
            due = day + timedelta(days=7)
            follow_up = FollowUp(action=promise, due_on=due, assignee=rep)
            done = _stamp(min(due, next_working_day(day + timedelta(days=3))), 15, 30, now)
            if done is not None and due < today:
                follow_up.done_at, follow_up.done_by, follow_up.done_note = done, rep, "已完成"
            report.follow_ups.append(follow_up)
        db.session.add(report)
        created += 1
    return created
