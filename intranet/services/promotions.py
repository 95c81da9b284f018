"""Promotion budgets (促销活动费用): apply with budget lines before the activity, write off (核销)
with the actual lines and receipts after it. Two approvals on one document: "promotion" for the
application and "promotion_writeoff" for the write-off; an over-budget write-off needs the next level."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..clock import today_local
from ..extensions import db
from ..models import Promotion, PromotionLine, User
from ..models.expenses import APPROVED, DRAFT, EDITABLE, PENDING, REJECTED, RETURNED, WITHDRAWN
from ..web.formatting import money
from . import approvals, audit, ledger, receipts
from . import settings as company_settings
from .errors import DomainError, Forbidden
from .expenses import SettingsRoute, may_see, scoped

STATUS_LABELS = {DRAFT: _l("草稿"), PENDING: _l("审批中"), APPROVED: _l("已批准"), REJECTED: _l("已驳回"),
                 RETURNED: _l("已退回修改"), WITHDRAWN: _l("已撤回")}
WRITEOFF_LABELS = {"": _l("未核销"), DRAFT: _l("核销草稿"), PENDING: _l("核销审批中"), APPROVED: _l("已核销"),
                   REJECTED: _l("核销被驳回"), RETURNED: _l("核销退回修改"), WITHDRAWN: _l("核销已撤回")}
BUDGET, ACTUAL = "budget", "actual"
MAX_LINES = 30


def visible(user: User):
    stmt = select(Promotion).options(selectinload(Promotion.owner)).order_by(Promotion.id.desc())
    return scoped(stmt, Promotion.owner_id, user)


def get_or_404(user: User, promotion_id: int) -> Promotion:
    promotion = db.session.get(Promotion, promotion_id)
    if promotion is None or not may_see(user, promotion.owner):
        abort(404)
    return promotion


@receipts.visibility("promotion")
def _receipt_visible(user, promotion_id: int) -> bool:
    promotion = db.session.get(Promotion, promotion_id)
    return promotion is not None and may_see(user, promotion.owner)


def _lines(kind: str, lines: list[dict]) -> list[PromotionLine]:
    out = []
    for i, line in enumerate(lines):
        item = (line.get("item") or "").strip()
        if not item:
            raise DomainError(_l("第 %(n)d 行：请填写项目", n=i + 1), field="lines")
        if line.get("amount") is None:
            raise DomainError(_l("第 %(n)d 行：请填写金额", n=i + 1), field="lines")
        out.append(PromotionLine(kind=kind, position=i, item=item[:120], amount=ledger.cents(line["amount"]),
                                 description=(line.get("description") or "").strip()[:200]))
    if not out:
        raise DomainError(_l("至少填写一行费用明细"), field="lines")
    if len(out) > MAX_LINES:
        raise DomainError(_l("明细最多 %(n)d 行", n=MAX_LINES), field="lines")
    return out


def _snapshot(p: Promotion) -> dict:
    return {"activity": p.activity, "dates": [p.starts_on.isoformat(), p.ends_on.isoformat()], "status": p.status,
            "budget": p.budget_total, "writeoff": p.writeoff_status, "actual": p.actual_total,
            "lines": [[ln.kind, ln.item, ln.amount] for ln in p.lines]}


def save(actor: User, promotion: Promotion | None, *, activity: str, location: str, starts_on: date,
         ends_on: date, plan: str, lines: list[dict]) -> Promotion:
    activity = (activity or "").strip()
    if not activity:
        raise DomainError(_l("请填写活动名称"), field="activity")
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        raise DomainError(_l("请填写活动日期"), field="starts_on")
    if ends_on < starts_on:
        raise DomainError(_l("结束日期不能早于开始日期"), field="ends_on")
    budget = _lines(BUDGET, lines)
    before = None
    if promotion is None:
        promotion = Promotion(owner_id=actor.id, status=DRAFT)
        promotion.owner = actor
        db.session.add(promotion)
    else:
        if promotion.owner_id != actor.id:
            raise Forbidden(_l("只能修改自己的促销活动申请"))
        if promotion.status not in EDITABLE:
            raise DomainError(_l("申请已提交，不能修改"))
        before = _snapshot(promotion)
    promotion.activity, promotion.location = activity[:120], (location or "").strip()[:120]
    promotion.starts_on, promotion.ends_on, promotion.plan = starts_on, ends_on, (plan or "").strip()
    promotion.lines = [*promotion.lines_of(ACTUAL), *budget]
    promotion.budget_total = sum((ln.amount for ln in budget), Decimal("0.00"))
    db.session.flush()
    audit.record(actor, "promotion.save", promotion, before=before, after=_snapshot(promotion))
    return promotion


def can_edit(user, p: Promotion) -> bool:
    return p.owner_id == user.id and p.status in EDITABLE


def can_write_off(user, p: Promotion) -> bool:
    return p.owner_id == user.id and p.status == APPROVED and p.writeoff_status in ("", *EDITABLE)


def submit(actor: User, promotion: Promotion):
    if promotion.owner_id != actor.id:
        raise Forbidden(_l("只能提交自己的申请"))
    if promotion.status not in EDITABLE:
        raise DomainError(_l("申请已提交"))
    return approvals.submit(actor, "promotion", promotion)


def save_writeoff(actor: User, promotion: Promotion, *, lines: list[dict], note: str) -> Promotion:
    """The actual spend after the activity (核销), editable until submitted."""
    if not can_write_off(actor, promotion):
        raise DomainError(_l("活动申请批准后，由申请人核销；已提交的核销不能修改"))
    before = _snapshot(promotion)
    actual = _lines(ACTUAL, lines)
    promotion.lines = [*promotion.lines_of(BUDGET), *actual]
    promotion.actual_total = sum((ln.amount for ln in actual), Decimal("0.00"))
    promotion.writeoff_note = (note or "").strip()
    if promotion.writeoff_status == "":
        promotion.writeoff_status = DRAFT
    db.session.flush()
    audit.record(actor, "promotion.writeoff.save", promotion, before=before, after=_snapshot(promotion))
    return promotion


def submit_writeoff(actor: User, promotion: Promotion):
    if promotion.owner_id != actor.id:
        raise Forbidden(_l("只能提交自己的核销"))
    if promotion.writeoff_status not in EDITABLE:
        raise DomainError(_l("请先填写实际费用"))
    if today_local() < promotion.ends_on:
        # The actual spend is known once the activity is over (its last day counts: the rep files that
        # evening); until then the actuals may be drafted but not sent for write-off.
        raise DomainError(_l("活动到 %(end)s 才结束，结束当天起才能提交核销", end=promotion.ends_on.isoformat()))
    if not receipts.for_doc("promotion", promotion.id):
        raise DomainError(_l("请先上传票据"), field="receipts")
    return approvals.submit(actor, "promotion_writeoff", promotion)


def attach_receipt(actor: User, promotion: Promotion, filename: str, data: bytes):
    if promotion.owner_id != actor.id:
        raise Forbidden(_l("只能给自己的促销活动上传票据"))
    if promotion.writeoff_status == APPROVED:
        raise DomainError(_l("已核销，不能再上传票据"), field="receipts")
    return receipts.attach(actor, "promotion", promotion.id, filename, data)


def _url(p) -> str:
    try:
        return url_for("expenses.promotion_detail", promotion_id=p.id)
    except RuntimeError:
        return ""


class PromotionAdapter(SettingsRoute, approvals.ModelAdapter):
    """The application: its route from the expense thresholds (settings)."""


class WriteoffAdapter(approvals.ModelAdapter):
    def adjust_steps(self, steps, doc):
        """Over budget: the manager must also sign; far over (above the director threshold), the director."""
        if doc.actual_total <= doc.budget_total:
            return steps
        steps = list(steps)
        roles = {s.get("role") for s in steps if s["approver_kind"] == "role"}
        if "manager" not in roles:
            steps.append(approvals.step_dict(_l("超预算：销售经理审批"), "role", "manager"))
        if "director" not in roles and doc.actual_total > company_settings.get("expense_director_threshold"):
            steps.append(approvals.step_dict(_l("超预算：销售总监审批"), "role", "director"))
        return steps


# Both documents are one Promotion row: the application moves `status`, the write-off `writeoff_status`.
_PROMOTION = {"model": Promotion, "owner_attr": "owner", "endpoint": "expenses.promotion_detail",
              "id_arg": "promotion_id"}

approvals.register(PromotionAdapter(
    "promotion", _l("促销活动申请"), **_PROMOTION, amount_attr="budget_total", statuses=approvals.STANDARD_STATUSES,
    title_of=lambda d: str(_l("促销活动 #%(id)d %(name)s：%(activity)s", id=d.id, name=d.owner.name,
                              activity=d.activity)),
    summary_of=lambda d: [(_l("申请人"), d.owner.name), (_l("活动"), d.activity), (_l("地点"), d.location),
                          (_l("日期"), f"{d.starts_on:%Y-%m-%d} ~ {d.ends_on:%Y-%m-%d}"),
                          (_l("预算"), money(d.budget_total))]))
approvals.register(WriteoffAdapter(
    "promotion_writeoff", _l("促销活动核销"), default_steps=[approvals.step_dict(_l("直属上级审批"), "line_manager")],
    **_PROMOTION, amount_attr="actual_total", status_attr="writeoff_status", statuses=approvals.STANDARD_STATUSES,
    title_of=lambda d: str(_l("促销核销 #%(id)d %(name)s：%(activity)s", id=d.id, name=d.owner.name,
                              activity=d.activity)),
    summary_of=lambda d: [(_l("活动"), d.activity), (_l("预算"), money(d.budget_total)),
                          (_l("实际"), money(d.actual_total)), (_l("差额"), money(d.gap)),
                          (_l("票据"), str(len(receipts.for_doc("promotion", d.id))))]))


def budget_vs_actual(user: User) -> list[Promotion]:
    return list(db.session.scalars(visible(user).where(Promotion.status == APPROVED)))


def approved_for(user: User) -> list[Promotion]:
    """Promotions a claim may be linked to (the user's own, approved)."""
    return list(db.session.scalars(select(Promotion).where(Promotion.owner_id == user.id,
                                                           Promotion.status == APPROVED)
                                   .order_by(Promotion.id.desc())))
