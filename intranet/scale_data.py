"""Scale data (`flask seed-scale`): a department of realistic size on top of the demo, for the bench
and the growth script (issue 10).

`build(staff=200, years=2)` adds about `staff` people in teams of ten (a supervisor and nine reps, one
assistant per five teams with a petty-cash box), 25 customers per person, and `years` of history up to
today: monthly visit plans with their reports and follow-ups, monthly expense claims with lines paid
from the assistants' boxes, the boxes' ledgers (hash-chained exactly as services.ledger appends, with
their audit records and monthly settlements), returns with lines and their approvals, orders with
shipments, invoices, incoming payments and their (chained) allocations, and the audit trail of it all.

Rows go in with bulk inserts (`session.execute(insert(Model), rows)`) and ids assigned here, so
200 × 2 builds in a few minutes on SQLite and PostgreSQL. The demo accounts are left as they are
(their desks gain the new teams' work: the manager, director and gm see the whole department).
Idempotent: a second call finds the scale teams and adds nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, text

from .clock import local_instant, month_of, now_utc, today_local
from .demo import working_days
from .extensions import db
from .models import (
    AuditEntry,
    Customer,
    ExpenseClaim,
    ExpenseLine,
    FollowUp,
    LedgerEntry,
    PeriodClose,
    PettyCashAccount,
    PlannedVisit,
    Product,
    Region,
    ReturnLine,
    ReturnRequest,
    Team,
    User,
    VisitPlan,
    VisitReport,
)
from .models.approvals import ApprovalDecision, ApprovalRequest, ApprovalRoute
from .models.ledger import CLAIM_PAYMENT, DISBURSEMENT, FLOAT_IN, GENESIS, LOCKED
from .models.orders import Invoice, InvoiceLine, Order, OrderLine, Shipment, ShipmentLine
from .models.receivables import IncomingPayment, PaymentAllocation
from .models.search_keys import pinyin_keys
from .services import audit as audit_service
from .services import ledger as ledger_service
from .services import receivables as receivables_service
from .services import spend_summary

MARKER = "sc_t01_sup"  # the first scale supervisor: present means the scale data is loaded
BATCH = 5000

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰辉斌波宁浩凯鹏飞"
CITIES = ["上海", "南京", "杭州", "苏州", "无锡", "宁波", "合肥", "广州", "深圳", "东莞", "佛山", "厦门", "福州",
          "北京", "天津", "济南", "青岛", "郑州", "武汉", "长沙", "成都", "重庆", "西安", "昆明"]
WORDS = ["宏达", "恒通", "华源", "清泉", "蓝天", "碧水", "永盛", "金海", "泰和", "康达", "润泽", "鑫源", "天成", "瑞丰",
         "海纳", "中联", "众诚", "博远", "汇通", "新锐"]
TRADES = ["水处理设备有限公司", "环保科技有限公司", "净水工程有限公司", "贸易有限公司", "机电设备有限公司", "医院", "食品有限公司"]
REGIONS = ["华东区", "华南区", "华北区", "华中区", "西南区"]
PURPOSES = ("市场调查", "了解竞争对手", "客户维护", "结清货款", "开发新客户", "新产品推广")
LINE_CATEGORIES = ("travel", "travel", "travel", "entertainment", "courier", "print_card", "other")
BOX_CATEGORIES = ("courier", "courier", "print_brochure", "sample_postage", "other", "travel")
RECENT_POOL = ("closed", "closed", "refunded", "received", "shipped")
OLD_POOL = ("closed",) * 9 + ("rejected",)


class _Ids:
    """Next free id per table (ids are assigned here so children can name their parents)."""

    def __init__(self):
        self._next = {}

    def take(self, model) -> int:
        table = model.__table__
        if table.name not in self._next:
            self._next[table.name] = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
        value = self._next[table.name]
        self._next[table.name] = value + 1
        return value

    def tables(self) -> list[str]:
        return list(self._next)


class _Audit:
    """The audit chain continued from its head, exactly as services.audit.record computes it."""

    def __init__(self, ids: _Ids):
        self.ids = ids
        self.head = db.session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)) or GENESIS
        self.rows: list[dict] = []

    def add(self, actor: dict, action: str, object_type: str, object_id: int, at: datetime, after=None) -> None:
        entry = AuditEntry(at=at, actor_id=actor["id"], actor_name=actor["name"], action=action,
                           object_type=object_type, object_id=object_id, before=None,
                           after=audit_service._jsonable(after), ip="", prev_hash=self.head)
        entry.hash = audit_service._digest(entry)
        self.head = entry.hash
        self.rows.append({"id": self.ids.take(AuditEntry), "at": at, "actor_id": actor["id"],
                          "actor_name": actor["name"], "action": action, "object_type": object_type,
                          "object_id": object_id, "before": None, "after": entry.after, "ip": "",
                          "prev_hash": entry.prev_hash, "hash": entry.hash})


def _put(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start:start + BATCH])


def _stamp(day: date, rng: random.Random, hour: int | None = None) -> datetime:
    """An instant in office hours on `day`, never in the future."""
    stamp = local_instant(day, hour if hour is not None else rng.randint(9, 17), rng.randint(0, 59)) \
        + timedelta(seconds=rng.randint(0, 59), microseconds=rng.randint(0, 999999))
    return min(stamp, now_utc() - timedelta(minutes=rng.randint(5, 600)))


def _person(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        if name not in used:
            used.add(name)
            return name


def _months(first: date, last: date) -> list[tuple[str, date, date]]:
    out, day = [], first.replace(day=1)
    while day <= last:
        nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        out.append((f"{day:%Y-%m}", max(day, first), min(nxt - timedelta(days=1), last)))
        day = nxt
    return out


def present() -> bool:
    return db.session.scalar(select(User.id).where(User.username == MARKER)) is not None


def build(staff: int = 200, years: float = 2, customers_per_person: int = 25, seed: int = 10) -> dict[str, int]:
    """Add the scale department. Returns row counts per table (empty when already present)."""
    if present():
        return {}
    demo = {u.username: u for u in db.session.scalars(select(User))}
    for name in ("manager", "director", "gm", "finance"):
        if name not in demo:
            raise RuntimeError("seed-scale needs the demo accounts: run `flask seed-demo` first")
    rng = random.Random(seed)
    ids = _Ids()
    trail = _Audit(ids)
    counts: dict[str, int] = {}
    today = today_local()
    first_day = today - timedelta(days=int(365 * years))
    days = working_days(first_day, today)
    months = _months(first_day, today)
    me = {u: {"id": demo[u].id, "name": demo[u].name} for u in ("manager", "director", "gm", "finance")}
    password_hash = demo["manager"].password_hash

    # ---- people -------------------------------------------------------------------------
    regions = {r.name: r.id for r in db.session.scalars(select(Region))}
    new_regions = [{"id": ids.take(Region), "name": n} for n in REGIONS if n not in regions]
    _put(Region, new_regions)
    regions.update({r["name"]: r["id"] for r in new_regions})
    team_count = max(1, staff // 10)
    used_names = {u.name for u in demo.values()}
    users, teams, reps, supervisors, assistants = [], [], [], [], []
    created_at = _stamp(days[0], rng)

    def person(username, role, boss_id, team_id=None, region_id=None) -> dict:
        name = _person(rng, used_names)
        initials, full = pinyin_keys(name)
        row = {"id": ids.take(User), "username": username, "name": name, "email": f"{username}@scale.local",
               "role": role, "password_hash": password_hash, "reports_to_id": boss_id, "team_id": team_id,
               "region_id": region_id, "active": True, "locale": "zh_CN", "session_version": 1,
               "created_at": created_at, "name_initials": initials, "name_pinyin": full}
        users.append(row)
        return row

    for t in range(1, team_count + 1):
        region = REGIONS[(t - 1) % len(REGIONS)]
        team_id = ids.take(Team)
        sup = person(f"sc_t{t:02d}_sup", "supervisor", demo["manager"].id, team_id, regions[region])
        teams.append({"id": team_id, "name": f"{region[:2]}{t:02d}组", "supervisor_id": None})
        supervisors.append(sup)
        for r in range(1, 10):
            reps.append(person(f"sc_t{t:02d}_r{r}", "rep", sup["id"], team_id, regions[region]))
    for a in range(1, max(1, team_count // 5) + 1):
        assistants.append(person(f"sc_asst{a}", "assistant", demo["manager"].id))
    _put(Team, teams)
    _put(User, users)
    for team, sup in zip(teams, supervisors, strict=True):
        db.session.execute(Team.__table__.update().where(Team.__table__.c.id == team["id"])
                           .values(supervisor_id=sup["id"]))
    counts["user"] = len(users)
    boss = {u["id"]: u["reports_to_id"] for u in users}
    by_id = {u["id"]: u for u in users}
    box_of_rep = {r["id"]: assistants[i * len(assistants) // len(reps)] for i, r in enumerate(reps)}

    # ---- customers ---------------------------------------------------------------------------
    customer_rows, customers_of = [], {r["id"]: [] for r in reps}
    names_used: set[str] = set(db.session.scalars(select(Customer.name)))
    for i in range(max(len(reps), staff * customers_per_person)):
        owner = reps[i % len(reps)]
        while True:
            name = rng.choice(CITIES) + rng.choice(WORDS) + rng.choice(TRADES)
            if name not in names_used:
                break
            name = f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.randint(2, 99)}{rng.choice(TRADES)}"
            if name not in names_used:
                break
        names_used.add(name)
        initials, full = pinyin_keys(name)
        cid = ids.take(Customer)
        customer_rows.append({
            "id": cid, "name": name, "name_initials": initials, "name_pinyin": full,
            "kind": rng.choice(("distributor", "agent", "commercial", "end_user")),
            "stage": rng.choice(("potential", "intended", "active", "active", "dormant")),
            "region_id": owner["region_id"], "owner_id": owner["id"], "tax_id": f"91{rng.randint(10**15, 10**16 - 1)}",
            "bank": "", "account": "", "invoice_address": "", "credit_limit": Decimal(rng.choice((0, 50000, 100000))),
            "notes": "", "lead_source": "", "callback_interval_days": 30,
            "last_contact_at": _stamp(rng.choice(days[-60:]), rng), "created_at": created_at})
        customers_of[owner["id"]].append(cid)
    _put(Customer, customer_rows)
    counts["customer"] = len(customer_rows)
    customer_name = {c["id"]: c["name"] for c in customer_rows}

    products = list(db.session.scalars(select(Product).order_by(Product.id)))
    routes = {r.doc_type: r for r in db.session.scalars(select(ApprovalRoute))}

    def steps_for(doc_type: str, amount: Decimal | None) -> list[dict]:
        route = routes.get(doc_type)
        if route is None:
            return [{"name": "直属上级审批", "approver_kind": "line_manager", "role": None, "min_amount": None,
                     "reviewers": 1}]
        return [{"name": s.name, "approver_kind": s.approver_kind, "role": s.role,
                 "min_amount": None if s.min_amount is None else f"{s.min_amount:.2f}", "reviewers": s.reviewers}
                for s in route.steps]

    role_user = {"manager": me["manager"], "director": me["director"], "gm": me["gm"], "finance": me["finance"]}
    approvals, decisions = [], []

    def approval(doc_type, doc_id, title, amount, submitter, at: datetime, finished: bool) -> None:
        steps = steps_for(doc_type, amount)
        rid = ids.take(ApprovalRequest)
        approvals.append({
            "id": rid, "doc_type": doc_type, "doc_id": doc_id, "title": title[:200], "amount": amount,
            "submitter_id": submitter["id"], "preparer_ids": [], "steps": steps,
            "status": "approved" if finished else "pending", "current_step": len(steps) if finished else 0,
            "round": 1, "version": 1 + (len(steps) if finished else 0), "submitted_at": at,
            "step_started_at": at, "finished_at": at + timedelta(hours=len(steps)) if finished else None})
        decisions.append({"id": ids.take(ApprovalDecision), "request_id": rid, "round": 1, "step_index": 0,
                          "step_name": steps[0]["name"], "action": "submit", "decider_id": submitter["id"],
                          "on_behalf_of_id": None, "comment": "", "at": at})
        trail.add(submitter, "approval.submit", "ApprovalRequest", rid, at, {"doc": f"{doc_type}#{doc_id}"})
        if not finished:
            return
        decider_id = boss.get(submitter["id"])
        for index, step in enumerate(steps):
            if step["min_amount"] is not None and (amount is None or amount <= Decimal(step["min_amount"])):
                continue
            if step["approver_kind"] == "role":
                decider = role_user.get(step["role"], me["manager"])
            else:
                decider = by_id.get(decider_id) or me["manager"]
                decider_id = boss.get(decider["id"], decider_id)
            when = at + timedelta(hours=index + 1)
            decisions.append({"id": ids.take(ApprovalDecision), "request_id": rid, "round": 1, "step_index": index,
                              "step_name": step["name"], "action": "approve", "decider_id": decider["id"],
                              "on_behalf_of_id": None, "comment": "同意", "at": when})
            trail.add(decider, "approval.approve", "ApprovalRequest", rid, when, {"step": index})

    # ---- visit plans, reports, follow-ups -----------------------------------------------------
    plans, visits, reports, follow_ups = [], [], [], []
    month_days = {m: [d for d in days if lo <= d <= hi] for m, lo, hi in months}
    for rep in reps:
        mine = customers_of[rep["id"]]
        sup = by_id[rep["reports_to_id"]]
        for month, _lo, _hi in months:
            wdays = month_days[month]
            if len(wdays) < 3:
                continue
            pid = ids.take(VisitPlan)
            submitted = _stamp(wdays[0], rng)
            plans.append({"id": pid, "rep_id": rep["id"], "month": month, "version": 1, "amends_id": None,
                          "status": "approved", "created_at": submitted, "submitted_at": submitted,
                          "approved_at": submitted + timedelta(hours=3)})
            trail.add(rep, "visit_plan.submit", "VisitPlan", pid, submitted, {"month": month})
            trail.add(sup, "visit_plan.approve", "VisitPlan", pid, submitted + timedelta(hours=3), {"month": month})
            for n in range(10):
                day = wdays[(2 * n + 1) * len(wdays) // 20]
                vid = ids.take(PlannedVisit)
                cid = mine[(n + len(plans)) % len(mine)]
                visits.append({"id": vid, "plan_id": pid, "customer_id": cid, "date": day, "hours": Decimal("2.0"),
                               "purpose": rng.choice(PURPOSES), "items": "", "expected_cost": Decimal(rng.choice((0, 50, 120))),
                               "origin_id": None})
                if day >= today or rng.random() < 0.08:
                    continue
                filed = _stamp(day, rng, 17)
                old = (today - day).days > 7
                rid = ids.take(VisitReport)
                reports.append({"id": rid, "rep_id": rep["id"], "planned_visit_id": vid, "customer_id": cid,
                                "visit_date": day, "outcome": "客户对新产品有兴趣，约定下月报价。", "promises": "",
                                "filed_at": filed, "reviewed_by_id": sup["id"] if old else None,
                                "reviewed_at": filed + timedelta(days=1) if old else None, "review_comment": ""})
                trail.add(rep, "visit_report.file", "VisitReport", rid, filed, {"customer": cid})
                if n % 4 == 0:
                    due = day + timedelta(days=14)
                    follow_ups.append({"id": ids.take(FollowUp), "report_id": rid, "action": "发送报价单", "due_on": due,
                                       "assignee_id": rep["id"],
                                       "done_at": _stamp(due, rng) if due < today - timedelta(days=3) else None,
                                       "done_note": "", "done_by_id": rep["id"] if due < today - timedelta(days=3) else None})
    _put(VisitPlan, plans)
    _put(PlannedVisit, visits)
    _put(VisitReport, reports)
    _put(FollowUp, follow_ups)
    counts.update(visit_plan=len(plans), planned_visit=len(visits), visit_report=len(reports), follow_up=len(follow_ups))

    # ---- expense claims, the petty-cash boxes and their ledgers ---------------------------------
    claims, lines = [], []
    outflows: dict[tuple[int, str], list[dict]] = {}  # (assistant id, month) -> payments and disbursements
    this_month = month_of(today)
    for rep in reps:
        box = box_of_rep[rep["id"]]
        for month, _lo, _hi in months:
            wdays = month_days[month]
            if len(wdays) < 3:
                continue
            current = month == this_month
            cid = ids.take(ExpenseClaim)
            amounts = []
            for position in range(8):
                amount = Decimal(rng.randint(2000, 60000)) / 100
                amounts.append(amount)
                lines.append({"id": ids.take(ExpenseLine), "claim_id": cid, "position": position,
                              "category": rng.choice(LINE_CATEGORIES), "spent_on": rng.choice(wdays),
                              "amount": amount, "description": "客户拜访", "visit_report_id": None, "trip_id": None})
            total = sum(amounts, Decimal("0.00"))
            submitted = _stamp(wdays[-1] if not current else wdays[len(wdays) // 2], rng)
            status = ("pending" if rng.random() < 0.5 else "draft") if current else "paid"
            paid_day = month_days[month][-1]
            claims.append({"id": cid, "claimant_id": rep["id"], "title": f"{month} 客户拜访差旅", "total": total,
                           "status": status, "promotion_id": None, "created_at": submitted,
                           "submitted_at": submitted if status != "draft" else None,
                           "approved_at": submitted + timedelta(hours=2) if status == "paid" else None,
                           "paid_at": _stamp(paid_day, rng, 16) if status == "paid" else None,
                           "paid_by_id": box["id"] if status == "paid" else None,
                           "payment_method": "petty_cash" if status == "paid" else "",
                           "offset_amount": Decimal("0.00"), "cash_amount": total if status == "paid" else Decimal("0.00"),
                           "ledger_entry_id": None})
            trail.add(rep, "expense.save", "ExpenseClaim", cid, submitted, {"total": total})
            if status != "draft":
                approval("expense", cid, f"{month} 客户拜访差旅", total, rep, submitted, finished=status == "paid")
            if status == "paid":
                outflows.setdefault((box["id"], month), []).append(
                    {"kind": CLAIM_PAYMENT, "amount": total, "day": paid_day, "claim": cid, "category": "",
                     "memo": f"报销支付：{rep['name']} {month}"})
    for box in assistants:
        share = sum(1 for r in reps if box_of_rep[r["id"]] is box)
        for month, _lo, _hi in months:
            for _ in range(8 * share):
                outflows.setdefault((box["id"], month), []).append(
                    {"kind": DISBURSEMENT, "amount": Decimal(rng.randint(800, 30000)) / 100,
                     "day": rng.choice(month_days[month] or [today]), "claim": None,
                     "category": rng.choice(BOX_CATEGORIES), "memo": "快递、打印等零星支出"})

    entries, accounts, closes = [], [], []
    claim_entry: dict[int, int] = {}
    for box in assistants:
        aid = ids.take(PettyCashAccount)
        balance, seq, head = Decimal("0.00"), 0, GENESIS
        opened = _stamp(days[0], rng)
        trail.add(box, "ledger.account.open", "PettyCashAccount", aid, opened, {"custodian": box["username"]})
        for month, _lo, _hi in months:
            wdays = month_days[month] or [today]
            out = sorted(outflows.get((box["id"], month), []), key=lambda o: o["day"])
            need = sum((o["amount"] for o in out), Decimal("0.00"))
            opening = balance
            moves = [{"kind": FLOAT_IN, "amount": need.quantize(Decimal("1")) + 1000, "day": wdays[0], "claim": None,
                      "category": "", "memo": "向财务借备用金"}]
            moves += [dict(o, amount=-o["amount"]) for o in out]
            received = spent = Decimal("0.00")
            for m in moves:
                seq += 1
                balance += m["amount"]
                at = _stamp(max(m["day"], wdays[0]), rng)
                eid = ids.take(LedgerEntry)
                e = LedgerEntry(account_id=aid, seq=seq, kind=m["kind"], amount=m["amount"], balance=balance,
                                category=m["category"], entry_date=max(m["day"], wdays[0]), period=month,
                                ref_type="expense" if m["claim"] else "", ref_id=m["claim"], memo=m["memo"],
                                recorded_by_id=box["id"], reverses_id=None, created_at=at, prev_hash=head)
                e.id = eid
                e.hash = ledger_service._digest(e)
                head = e.hash
                confirmed = month != this_month or rng.random() < 0.7
                entries.append({"id": eid, "account_id": aid, "seq": seq, "kind": e.kind, "amount": e.amount,
                                "balance": balance, "category": e.category, "entry_date": e.entry_date,
                                "period": month, "ref_type": e.ref_type, "ref_id": e.ref_id, "memo": e.memo,
                                "recorded_by_id": box["id"],
                                "confirmed_by_id": me["finance"]["id"] if confirmed else None,
                                "confirmed_at": at + timedelta(hours=1) if confirmed else None,
                                "reverses_id": None, "created_at": at, "prev_hash": e.prev_hash, "hash": e.hash})
                trail.add(box, "ledger.record", "LedgerEntry", eid, at, ledger_service._snapshot(e))
                if confirmed:
                    trail.add(me["finance"], "ledger.confirm", "LedgerEntry", eid, at + timedelta(hours=1),
                              {"seq": seq, "hash": e.hash, "confirmed_by": me["finance"]["id"]})
                if m["claim"]:
                    claim_entry[m["claim"]] = eid
                if m["amount"] > 0:
                    received += m["amount"]
                else:
                    spent -= m["amount"]
            if month != this_month:
                at = _stamp(month_days[month][-1] if month_days[month] else today, rng, 17)
                closes.append({"id": ids.take(PeriodClose), "account_id": aid, "period": month, "opening": opening,
                               "received": received, "spent": spent, "returned": Decimal("0.00"), "closing": balance,
                               "entry_count": len(moves), "status": LOCKED, "locked": True, "prepared_by_id": box["id"],
                               "prepared_at": at, "confirmed_by_id": me["finance"]["id"],
                               "confirmed_at": at + timedelta(hours=2), "comment": ""})
        accounts.append({"id": aid, "name": f"{box['name']} 的备用金", "custodian_id": box["id"], "balance": balance,
                         "entry_count": seq, "last_hash": head, "created_at": opened})
    for claim in claims:
        claim["ledger_entry_id"] = claim_entry.get(claim["id"])
    _put(PettyCashAccount, accounts)
    _put(LedgerEntry, entries)
    _put(PeriodClose, closes)
    _put(ExpenseClaim, claims)  # after the ledger: a paid claim names its payment entry
    _put(ExpenseLine, lines)
    counts.update(expense_claim=len(claims), expense_line=len(lines), ledger_entry=len(entries),
                  period_close=len(closes))

    # ---- returns -----------------------------------------------------------------------------
    returns, return_lines = [], []
    number_seq: dict[str, int] = {}
    existing_numbers = set(db.session.scalars(select(ReturnRequest.number)))
    for rep in reps:
        for month, _lo, _hi in months:
            wdays = month_days[month]
            if not wdays or rng.random() > 0.55:
                continue
            day = rng.choice(wdays)
            age = (today - day).days
            # a return is tracked to the end within a couple of months: old ones are closed (or were rejected)
            status = (rng.choice(("pending", "signed", "notified", "shipped")) if age < 30
                      else rng.choice(RECENT_POOL) if age < 75 else rng.choice(OLD_POOL))
            ym = month.replace("-", "")
            while True:
                number_seq[ym] = number_seq.get(ym, 0) + 1
                number = f"TH-{ym}-{number_seq[ym]:04d}"
                if number not in existing_numbers:
                    break
            rid = ids.take(ReturnRequest)
            created = _stamp(day, rng)
            signed = created + timedelta(days=2) if status not in ("pending", "rejected") else None
            total = Decimal("0.00")
            for position in range(rng.randint(1, 3)):
                product = rng.choice(products)
                qty = rng.randint(1, 5)
                amount = product.list_price * qty
                total += amount
                return_lines.append({"id": ids.take(ReturnLine), "return_id": rid, "position": position,
                                     "product_id": product.id, "quantity": qty, "unit_price": product.list_price,
                                     "amount": amount,
                                     "received_qty": qty if status in ("received", "refunded", "closed") else None})
            cid = rng.choice(customers_of[rep["id"]])
            after_sign = status in ("notified", "shipped", "received", "refunded", "closed")
            returns.append({
                "id": rid, "number": number, "month": month, "customer_name": customer_name[cid], "customer_id": cid,
                "order_ref": f"FH-{ym}-{rng.randint(1, 999):04d}", "rep_id": rep["id"], "reason": "quality",
                "reason_detail": "膜元件脱盐率下降", "justification": "", "cost_split": "运费我方承担",
                "total_amount": total, "status": status, "created_at": created, "updated_at": signed or created,
                "submitted_at": created, "signed_at": signed,
                "notified_at": signed + timedelta(days=1) if after_sign else None,
                "notified_by_id": assistants[0]["id"] if after_sign else None, "notify_note": "",
                "shipped_at": None, "shipped_by_id": None, "shipped_on": None, "carrier": "", "tracking_no": "",
                "received_at": None, "received_by_id": None, "received_on": None, "receipt_note": "",
                "refunded_at": None, "refunded_by_id": None, "refund_kind": "credit" if status in ("refunded", "closed") else None,
                "refund_amount": total if status in ("refunded", "closed") else None, "refund_date": None,
                "refund_reference": "", "closed_at": signed + timedelta(days=20) if status == "closed" else None,
                "closed_by_id": assistants[0]["id"] if status == "closed" else None})
            trail.add(rep, "return.create", "ReturnRequest", rid, created, {"number": number})
            if status != "rejected":
                approval("return", rid, f"退货 {number}", total, rep, created, finished=status != "pending")
    _put(ReturnRequest, returns)
    _put(ReturnLine, return_lines)
    counts.update(return_request=len(returns), return_line=len(return_lines))

    # ---- orders, shipments, invoices, incoming money ---------------------------------------------
    orders, order_lines, shipments, shipment_lines, invoices, invoice_lines = [], [], [], [], [], []
    payments, allocations = [], []
    office = assistants[0]
    for rep in reps:
        for month, _lo, _hi in months:
            wdays = month_days[month]
            if len(wdays) < 2:
                continue
            ym = month.replace("-", "")
            for _ in range(2):
                day = rng.choice(wdays)
                cid = rng.choice(customers_of[rep["id"]])
                oid = ids.take(Order)
                at = _stamp(day, rng)
                done = (today - day).days > 10
                total = Decimal("0.00")
                my_lines = []
                for product in rng.sample(products, 2):
                    qty = rng.randint(1, 4)
                    amount = product.list_price * qty
                    total += amount
                    lid = ids.take(OrderLine)
                    my_lines.append((lid, product, qty, amount))
                    order_lines.append({"id": lid, "order_id": oid, "product_id": product.id, "spec": product.spec,
                                        "quantity": qty, "unit_price": product.list_price,
                                        "list_price": product.list_price, "amount": amount,
                                        "shipped_qty": qty if done else 0, "invoiced_qty": qty if done else 0,
                                        "returned_qty": 0})
                orders.append({"id": oid, "number": f"DD-{ym}-{oid:06d}", "customer_id": cid, "rep_id": rep["id"],
                               "status": "shipped" if done else "entered", "delivery_method": "logistics",
                               "requested_on": day, "wanted_on": day + timedelta(days=7), "consignee": rep["name"],
                               "phone": "13800000000", "address": "客户仓库", "note": "", "exception_reason": "",
                               "exception_needs": "", "total": total, "payment_id": None, "created_by_id": rep["id"],
                               "created_at": at, "entered_by_id": office["id"], "entered_at": at + timedelta(hours=2),
                               "entered_on": day})
                trail.add(rep, "order.request", "Order", oid, at, {"total": total})
                trail.add(office, "order.enter", "Order", oid, at + timedelta(hours=2), {})
                if not done:
                    continue
                sid = ids.take(Shipment)
                ship_day = day + timedelta(days=2)
                shipments.append({"id": sid, "number": f"FH-{ym}-{sid:06d}", "order_id": oid, "return_id": None,
                                  "status": "checked", "extras": "", "carrier": "德邦物流", "method": "logistics",
                                  "waybill": f"DB{sid:010d}", "pieces": 2, "tracking_phone": "", "promised_on": None,
                                  "prepared_by_id": office["id"], "prepared_at": at + timedelta(days=1),
                                  "checked_by_id": me["manager"]["id"], "checked_at": at + timedelta(days=1, hours=1),
                                  "shipped_on": ship_day, "notice_due_on": ship_day + timedelta(days=1),
                                  "notified_at": at + timedelta(days=3), "notified_by_id": office["id"],
                                  "notified_to": rep["name"]})
                iid = ids.take(Invoice)
                checked_at = at + timedelta(days=4)
                invoices.append({"id": iid, "number": f"KP-{ym}-{iid:06d}", "order_id": oid, "status": "checked",
                                 "invoice_no": f"{iid:08d}", "content": my_lines[0][1].name, "amount": total,
                                 "recipient": rep["name"], "mail_method": "courier", "tracking_no": "",
                                 "prepared_by_id": office["id"], "prepared_at": at + timedelta(days=3),
                                 "checked_by_id": me["finance"]["id"], "checked_at": checked_at,
                                 "month": month_of(day + timedelta(days=4)), "note": "", "collected": Decimal("0.00")})
                for lid, product, qty, amount in my_lines:
                    shipment_lines.append({"id": ids.take(ShipmentLine), "shipment_id": sid, "order_line_id": lid,
                                           "product_id": product.id, "quantity": qty})
                    invoice_lines.append({"id": ids.take(InvoiceLine), "invoice_id": iid, "order_line_id": lid,
                                          "product_id": product.id, "quantity": qty, "unit_price": product.list_price,
                                          "amount": amount})
                trail.add(office, "invoice.prepare", "Invoice", iid, at + timedelta(days=3), {"amount": total})
                trail.add(me["finance"], "invoice.check", "Invoice", iid, checked_at, {})
                if (today - day).days < 50 and rng.random() < 0.6:
                    continue  # still open: the receivables register has something to chase
                invoices[-1]["collected"] = total  # paid in full by the confirmed allocation below
                pay_id = ids.take(IncomingPayment)
                received_on = day + timedelta(days=rng.randint(10, 40))
                reg_at = _stamp(min(received_on, today), rng)
                alloc = PaymentAllocation(payment_id=pay_id, seq=1, kind="allocation", customer_id=cid, invoice_id=iid,
                                          contract_ref=None, amount=total, memo="货款", reverses_id=None,
                                          allocated_by_id=office["id"], created_at=reg_at + timedelta(hours=1),
                                          prev_hash=GENESIS)
                alloc.hash = receivables_service._digest(alloc)
                alid = ids.take(PaymentAllocation)
                payments.append({"id": pay_id, "number": f"LK-{ym}-{pay_id:06d}", "customer_id": cid,
                                 "payer": customer_name[cid], "pay_type": "transfer", "bank": "招商银行",
                                 "amount": total, "received_on": min(received_on, today), "note": "",
                                 "registered_by_id": me["finance"]["id"], "registered_at": reg_at,
                                 "allocated": total, "entry_count": 1, "last_hash": alloc.hash})
                allocations.append({"id": alid, "payment_id": pay_id, "seq": 1, "kind": "allocation",
                                    "customer_id": cid, "invoice_id": iid, "contract_ref": None, "amount": total,
                                    "memo": "货款", "reverses_id": None, "allocated_by_id": office["id"],
                                    "created_at": alloc.created_at, "confirmed_by_id": me["finance"]["id"],
                                    "confirmed_at": alloc.created_at + timedelta(hours=1), "prev_hash": GENESIS,
                                    "hash": alloc.hash})
                trail.add(me["finance"], "payment.register", "IncomingPayment", pay_id, reg_at, {"amount": total})
                trail.add(office, "incoming.allocation", "PaymentAllocation", alid, alloc.created_at,
                          {"payment": pay_id, "seq": 1, "kind": "allocation", "invoice": iid, "amount": total,
                           "contract_ref": None, "reverses": None, "memo": "货款", "hash": alloc.hash})
                trail.add(me["finance"], "incoming.confirm", "PaymentAllocation", alid,
                          alloc.created_at + timedelta(hours=1),
                          {"seq": 1, "hash": alloc.hash, "confirmed_by": me["finance"]["id"]})
    _put(Order, orders)
    _put(OrderLine, order_lines)
    _put(Shipment, shipments)
    _put(ShipmentLine, shipment_lines)
    _put(Invoice, invoices)
    _put(InvoiceLine, invoice_lines)
    _put(IncomingPayment, payments)
    _put(PaymentAllocation, allocations)
    counts.update(sales_order=len(orders), order_line=len(order_lines), shipment=len(shipments),
                  invoice=len(invoices), incoming_payment=len(payments), payment_allocation=len(allocations))

    _put(ApprovalRequest, approvals)
    _put(ApprovalDecision, decisions)
    _put(AuditEntry, trail.rows)
    counts.update(approval_request=len(approvals), approval_decision=len(decisions), audit_entry=len(trail.rows))
    db.session.info.pop("audit_head", None)
    _bump_sequences(ids)
    db.session.flush()
    # The claims and ledger entries above went in around the ORM, so the spend summary's flush listener
    # never saw them: recompute it from the rows.
    counts["spend_month_total"] = spend_summary.rebuild()
    # Fresh statistics: the planner otherwise still thinks the bulk-loaded tables are empty (SQLite, with
    # none, walks 300 reps' plans for one day's visits instead of the date index).
    db.session.execute(text("ANALYZE"))
    return counts


def _bump_sequences(ids: _Ids) -> None:
    """Ids were given explicitly: move PostgreSQL's sequences past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ids.tables():
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"))
