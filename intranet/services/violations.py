"""The violations register (过失单 / 奖励单, seed 000: 填写直接下级过失单和奖励单，根据权限按照程序执行).

The line manager files a slip for a direct report; it is decided through the approval engine by the
filer's own line manager (authority level). The seed's rules are presets (seed 004): refusing a
customer as "not mine" ¥100 and the third time a dismissal proposal (违规三次者予以除名); the contract
seal taken out of the office ¥50, ¥1,000 if harm follows. The system counts the slips per person and
rule, so "the third time" is found here, not remembered.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..models import User
from ..models.approvals import LINE_MANAGER, ROLE
from ..models.attendance import APPROVED, DRAFT, PENDING, REJECTED, RETURNED, WITHDRAWN, Violation
from . import approvals, audit, notify
from . import attendance as att

DOC_TYPE = "violation"
STATUS_LABELS = {DRAFT: _l("草稿"), PENDING: _l("审批中"), APPROVED: _l("已生效"), REJECTED: _l("已驳回"),
                 RETURNED: _l("退回修改"), WITHDRAWN: _l("已撤回")}
KIND_LABELS = {"fault": _l("过失单"), "reward": _l("奖励单")}
COUNTED = (PENDING, APPROVED)


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    label: object
    amount: Decimal | None  # None: the filer enters it
    dismiss_at: int | None = None  # the nth slip proposes dismissal


RULES = [
    Rule("not_mine", "fault", _l("以“不是自己的客户”为由拒绝、怠慢客户（罚款 ¥100，三次除名）"), Decimal("100.00"), 3),
    Rule("seal_out", "fault", _l("未经同意将经济合同章带离销售部办公室（罚款 ¥50）"), Decimal("50.00")),
    Rule("seal_harm", "fault", _l("合同章带离并造成后果（罚款 ¥1,000，自负经济法律责任）"), Decimal("1000.00")),
    Rule("other_fault", "fault", _l("其他过失"), None),
    Rule("reward", "reward", _l("奖励"), None),
]
BY_CODE = {r.code: r for r in RULES}

DEFAULT_STEPS = [approvals.step_dict(_l("上级按权限审批"), LINE_MANAGER)]
DISMISSAL_STEP = approvals.step_dict(_l("销售经理审议除名建议"), ROLE, "manager")


def visible_query(user: User):
    ids = [p.id for p in att.visible_people(user)]
    return select(Violation).where((Violation.user_id.in_(ids)) | (Violation.filed_by_id == user.id))


def get_visible_or_404(user: User, violation_id: int) -> Violation:
    slip = db.session.get(Violation, violation_id)
    if slip is None:
        abort(404)
    req = approvals.request_for(DOC_TYPE, slip.id)
    if not (att.can_see_person(user, slip.user) or slip.filed_by_id == user.id
            or (req is not None and approvals.can_view(user, req))):
        abort(404)
    return slip


def subordinates(user: User) -> list[User]:
    return list(db.session.scalars(select(User).where(User.reports_to_id == user.id, User.active)
                                   .order_by(User.id)))


def count_for(person_id: int, rule: str) -> int:
    """Slips for this person and rule that count (under way or in force)."""
    return db.session.scalar(select(func.count(Violation.id)).where(
        Violation.user_id == person_id, Violation.rule == rule, Violation.status.in_(COUNTED))) or 0


def file(actor: User, person: User | None, fields: dict) -> Violation:
    """The line manager files a slip for a direct report and sends it for decision."""
    errors = {}
    rule = BY_CODE.get(fields.get("rule") or "")
    if person is None:
        errors["user_id"] = _l("请选择人员")
    elif person.reports_to_id != actor.id:
        errors["user_id"] = _l("只能为自己的直接下级填写过失单或奖励单")
    if rule is None:
        errors["rule"] = _l("请选择条款")
    amount = rule.amount if rule and rule.amount is not None else fields.get("amount")
    if rule and rule.amount is None and (amount is None or amount <= 0):
        errors["amount"] = _l("请填写金额（大于 0）")
    if not (fields.get("evidence") or "").strip():
        errors["evidence"] = _l("请填写事实与证据")
    day = fields.get("day")
    if day is None:
        errors["day"] = _l("请填写发生日期")
    elif day > clock.today_local():
        errors["day"] = _l("发生日期不能晚于今天")
    if errors:
        raise att.InputErrors(errors)
    att.ensure_open(day)
    audit.lock()  # the count and the new slip under one lock: two slips at once still count 1, 2
    occurrence = count_for(person.id, rule.code) + 1
    slip = Violation(user_id=person.id, kind=rule.kind, rule=rule.code, amount=amount,
                     evidence=fields["evidence"].strip(), day=day, occurrence=occurrence,
                     proposes_dismissal=bool(rule.dismiss_at and occurrence >= rule.dismiss_at), filed_by_id=actor.id)
    slip.user, slip.filed_by = person, actor
    db.session.add(slip)
    db.session.flush()
    audit.record(actor, "violation.file", slip, after={"user": person.username, "rule": rule.code,
                                                       "amount": amount, "occurrence": occurrence,
                                                       "dismissal": slip.proposes_dismissal})
    approvals.submit(actor, DOC_TYPE, slip)
    if slip.proposes_dismissal:
        _propose_dismissal(slip)
    return slip


def _propose_dismissal(slip: Violation) -> None:
    rule = BY_CODE[slip.rule]
    for manager in db.session.scalars(select(User).where(User.role == "manager", User.active)):
        notify.tell(f"dismissal-proposal:{slip.id}:u{manager.id}", manager,
                    str(_l("除名建议：%(name)s 第 %(n)d 次违反“%(rule)s”", name=slip.user.name, n=slip.occurrence,
                           rule=rule.label)),
                    str(_l("按销售部规定（违规三次者予以除名），%(name)s 已是第 %(n)d 次。请审议是否除名。",
                           name=slip.user.name, n=slip.occurrence)), f"/attendance/violations/{slip.id}")


def fines_between(person_id: int, first, last) -> Decimal:
    return db.session.scalar(select(func.coalesce(func.sum(Violation.amount), 0)).where(
        Violation.user_id == person_id, Violation.kind == "fault", Violation.status == APPROVED,
        Violation.day.between(first, last))) or Decimal("0.00")


class ViolationAdapter(approvals.Adapter):
    def load(self, doc_id):
        return db.session.get(Violation, doc_id)

    def title(self, doc) -> str:
        return str(_l("%(kind)s %(name)s：%(rule)s", kind=KIND_LABELS[doc.kind], name=doc.user.name,
                      rule=BY_CODE[doc.rule].label))

    def amount(self, doc):
        return doc.amount

    def owner(self, doc):
        return doc.filed_by

    def preparers(self, doc):
        return [doc.user_id]  # nobody decides their own slip

    def url(self, doc) -> str:
        return f"/attendance/violations/{doc.id}"

    def summary(self, doc):
        from ..web.formatting import money

        rows = [(_l("人员"), doc.user.name), (_l("条款"), BY_CODE[doc.rule].label), (_l("金额"), money(doc.amount)),
                (_l("发生日期"), f"{doc.day:%Y-%m-%d}"), (_l("事实与证据"), doc.evidence),
                (_l("同一条款第几次"), str(doc.occurrence))]
        if doc.proposes_dismissal:
            rows.append((_l("建议"), _l("按规定建议除名，报销售经理审议")))
        return rows

    def adjust_steps(self, steps, doc):
        if doc.proposes_dismissal and not any(s.get("role") == "manager" for s in steps) \
                and doc.filed_by.reports_to and doc.filed_by.reports_to.role != "manager":
            return [*steps, DISMISSAL_STEP]
        return steps

    def on_submitted(self, doc, actor):
        _set_status(actor, doc, PENDING)

    def on_approved(self, doc, actor):
        att.ensure_open(doc.day)
        doc.decided_at = clock.now_utc()
        _set_status(actor, doc, APPROVED)

    def on_rejected(self, doc, actor, comment):
        doc.decided_at = clock.now_utc()
        _set_status(actor, doc, REJECTED)

    def on_returned(self, doc, actor, comment):
        _set_status(actor, doc, RETURNED)

    def on_withdrawn(self, doc, actor):
        _set_status(actor, doc, WITHDRAWN)


def _set_status(actor, doc, status) -> None:
    before = doc.status
    doc.status = status
    audit.record(actor, "violation.status", doc, before={"status": before}, after={"status": status})


ADAPTER = approvals.register(ViolationAdapter(DOC_TYPE, _l("过失单/奖励单"), default_steps=DEFAULT_STEPS))
