"""Returns (退货, SPEC 2.6): who sees what, the request and its complaint form, sign-off through the
approval engine (director, then general manager — always), and the tracking to the end.

Rules, whatever the UI shows:
- a rep sees their own returns, a supervisor their team's, leadership and the assistant all of them,
  finance only the money end: returns from the refund stage on (received, refunded, closed);
- only the rep who files a return edits or submits it, and only before it is under way;
- a quality / wrong-goods / transit-damage return goes up only with the assistant's complaint form;
  anything but a quality problem is "原则上不予退换" and needs a justification;
- every return is decided by the director and then the general manager, the last two steps in that
  order, whatever the route settings say; nobody signs twice and nobody signs their own request;
- after sign-off: customer notified → shipped back → received (counted, never more than approved,
  a difference explained) → finance refund or credit → closed. Nothing is skipped.
"""

from __future__ import annotations

import os
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from flask import abort, current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..clock import SHANGHAI, local_instant, month_bounds, now_utc, today_local
from ..extensions import db
from ..models import ApprovalRequest, Customer, Product, User
from ..models.approvals import LINE_MANAGER, ROLE
from ..models.returns import (
    AWAITING_COMPLAINT,
    CLOSED,
    DRAFT,
    EDITABLE,
    NOTIFIED,
    PENDING,
    REASONS,
    RECEIVED,
    REFUND_KINDS,
    REFUNDED,
    REJECTED,
    RETURNED,
    SHIPPED,
    SIGNED,
    TRACKING,
    WITHDRAWN,
    QualityComplaint,
    ReturnAttachment,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
)
from ..models.sql import local_month, money_sum
from ..web.formatting import money
from . import approvals, audit, notify, stored_files
from .errors import DomainError, Forbidden
from .text_rules import whole_number

DOC_TYPE = "return"

REASON_LABELS = {"quality": _l("质量问题"), "wrong_goods": _l("发错货"), "transit_damage": _l("物流损坏"),
                 "other": _l("其他")}
STATUS_LABELS = {
    DRAFT: _l("草稿"), AWAITING_COMPLAINT: _l("待填品质投诉单"), PENDING: _l("审批中"), RETURNED: _l("退回修改"),
    WITHDRAWN: _l("已撤回"), REJECTED: _l("已驳回"), SIGNED: _l("已签批"), NOTIFIED: _l("已通知客户"),
    SHIPPED: _l("客户已发回"), RECEIVED: _l("已入库"), REFUNDED: _l("财务已处理"), CLOSED: _l("已结案"),
}
REFUND_KIND_LABELS = {"refund": _l("退款"), "credit": _l("红字冲账（贷项通知单）")}
EVENT_LABELS = {
    "created": _l("创建申请"), "edited": _l("修改申请"), "complaint_requested": _l("提交，等待内勤填写品质投诉单"),
    "complaint_filled": _l("填写品质投诉单"), "submitted": _l("提交审批"), "signed": _l("总经理签批，审批完成"),
    "rejected": _l("审批驳回"), "returned": _l("退回修改"), "withdrawn": _l("撤回"),
    "notified": _l("已通知客户退货"), "shipped": _l("客户已发回货物"), "received": _l("货物入库"),
    "refunded": _l("财务完成退款/冲账"), "closed": _l("结案"), "attached": _l("上传附件"),
    "attachment_removed": _l("删除附件"),
}
NOT_IN_PRINCIPLE = _l("原则上不予退换")

CREATORS = ("rep", "supervisor", "manager", "director")
ALL_SEEING = ("manager", "director", "gm", "assistant")
TRACKERS = ("assistant",)
FINANCE = ("finance",)
# Finance sees a return once it is theirs to refund or credit, and what followed: never a draft,
# a complaint form being filled or a request under sign-off (SPEC 2.6: money documents only).
FINANCE_STAGES = (RECEIVED, REFUNDED, CLOSED)

# Stages that show as overdue on the assistant's desk, in days.
OVERDUE_DAYS = {"complaint": 2, "receipt": 7, "refund": 5, "close": 3}

ALLOWED_UPLOADS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
                   "application/pdf": ".pdf"}

DIRECTOR_STEP = approvals.step_dict(_l("总监审批"), ROLE, "director")
GM_STEP = approvals.step_dict(_l("总经理签批"), ROLE, "gm")
DEFAULT_STEPS = [approvals.step_dict(_l("主管/经理审核"), LINE_MANAGER), DIRECTOR_STEP, GM_STEP]


class InputErrors(DomainError):
    """Several field errors at once: {field: message}. `field`/`message` name the first."""

    def __init__(self, errors: dict[str, object]):
        first = next(iter(errors))
        super().__init__(errors[first], field=first)
        self.errors = errors


@dataclass
class LineInput:
    product_id: int
    quantity: int
    unit_price: Decimal
    row: int | None = None  # the form row it came from, so an error lands next to that row


# ---- visibility --------------------------------------------------------------------

def visible_query(user: User):
    """select(ReturnRequest) limited to what `user` may see."""
    stmt = select(ReturnRequest)
    if user.role in ALL_SEEING:
        return stmt
    if user.role in FINANCE:
        return stmt.where(ReturnRequest.status.in_(FINANCE_STAGES))
    if user.role == "supervisor":
        team = select(User.id).where(User.reports_to_id == user.id)
        return stmt.where(or_(ReturnRequest.rep_id == user.id, ReturnRequest.rep_id.in_(team)))
    return stmt.where(ReturnRequest.rep_id == user.id)


def can_see(user: User, doc: ReturnRequest) -> bool:
    if user.role in ALL_SEEING or doc.rep_id == user.id:
        return True
    if user.role in FINANCE:
        return doc.status in FINANCE_STAGES
    if user.role == "supervisor" and doc.rep.reports_to_id == user.id:
        return True
    # Anyone the approval route names (e.g. an approver outside the team) may open what they decide.
    req = approval_request(doc)
    return req is not None and approvals.can_view(user, req)


def get_visible_or_404(user: User, return_id: int) -> ReturnRequest:
    doc = db.session.get(ReturnRequest, return_id)
    if doc is None or not can_see(user, doc):
        abort(404)
    return doc


def approval_request(doc: ReturnRequest) -> ApprovalRequest | None:
    return approvals.request_for(DOC_TYPE, doc.id)


def rep_choices(user: User) -> list[User]:
    """The people whose returns `user` may filter by."""
    if user.role == "rep":
        return [user]
    stmt = select(User).where(User.role.in_(CREATORS)).order_by(User.role.desc(), User.id)
    if user.role == "supervisor":
        stmt = stmt.where(or_(User.id == user.id, User.reports_to_id == user.id))
    return list(db.session.scalars(stmt))


# ---- permissions the pages ask about ------------------------------------------------

def can_edit(user: User, doc: ReturnRequest) -> bool:
    return doc.rep_id == user.id and doc.status in EDITABLE


def can_fill_complaint(user: User, doc: ReturnRequest) -> bool:
    return user.role == "assistant" and doc.status in (*EDITABLE, AWAITING_COMPLAINT)


def can_upload(user: User, doc: ReturnRequest) -> bool:
    if doc.rep_id == user.id:
        return doc.status in (*EDITABLE, AWAITING_COMPLAINT)
    return user.role == "assistant" and doc.status != CLOSED


def can_delete_attachment(user: User, att: ReturnAttachment) -> bool:
    return att.uploaded_by_id == user.id and att.request.status in (*EDITABLE, AWAITING_COMPLAINT)


def can_withdraw(user: User, doc: ReturnRequest) -> bool:
    if doc.rep_id != user.id:
        return False
    if doc.status == AWAITING_COMPLAINT:
        return True
    req = approval_request(doc)
    return doc.status == PENDING and req is not None and approvals.can_withdraw(req)


def next_tracking_step(user: User, doc: ReturnRequest) -> str | None:
    """The tracking form `user` may fill next: notify / ship / receive / refund / close, or None."""
    if user.role in TRACKERS:
        return {SIGNED: "notify", NOTIFIED: "ship", SHIPPED: "receive", REFUNDED: "close"}.get(doc.status)
    if user.role in FINANCE and doc.status == RECEIVED:
        return "refund"
    return None


# ---- the request ------------------------------------------------------------------------

def check_input(fields: dict, lines: list[LineInput], line_errors: dict | None = None) -> None:
    """All the request's rules at once; raises InputErrors with a message per field."""
    errors: dict[str, object] = dict(line_errors or {})
    if not (fields.get("customer_name") or "").strip():
        errors["customer_name"] = _l("请填写客户名称")
    if not (fields.get("order_ref") or "").strip():
        errors["order_ref"] = _l("请填写原订单号或发货单号")
    reason = fields.get("reason")
    if reason not in REASONS:
        errors["reason"] = _l("请选择退货原因")
    elif reason == "other" and not (fields.get("reason_detail") or "").strip():
        errors["reason_detail"] = _l("选择“其他”时请说明退货原因")
    if reason in REASONS and reason != "quality" and not (fields.get("justification") or "").strip():
        errors["justification"] = _l("非质量问题原则上不予退换，请写明特殊理由")
    if not (fields.get("cost_split") or "").strip():
        errors["cost_split"] = _l("请写明与客户商定的费用分担（运费等由谁承担）")
    if not lines and not any(k.startswith("lines-") for k in errors):
        errors["lines"] = _l("请至少填写一行退货产品")
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_([ln.product_id for ln in lines])))} if lines else {}
    for i, ln in enumerate(lines):
        row = i if ln.row is None else ln.row
        if ln.product_id not in products:
            errors.setdefault(f"lines-{row}-product_id", _l("产品不存在"))
        if ln.quantity <= 0:
            errors.setdefault(f"lines-{row}-quantity", _l("数量必须是正整数"))
        if ln.unit_price <= 0:
            errors.setdefault(f"lines-{row}-unit_price", _l("单价必须大于零"))
    if errors:
        raise InputErrors(errors)


def create(actor: User, fields: dict, lines: list[LineInput]) -> ReturnRequest:
    if actor.role not in CREATORS:
        raise Forbidden(_l("只有销售人员可以提交退货申请"))
    check_input(fields, lines)
    doc = ReturnRequest(rep=actor, status=DRAFT, month=today_local().strftime("%Y-%m"))
    _apply(doc, fields, lines)
    _assign_number(doc)
    _event(doc, actor, "created")
    audit.record(actor, "return.create", doc, after=snapshot(doc))
    return doc


def update(actor: User, doc: ReturnRequest, fields: dict, lines: list[LineInput]) -> ReturnRequest:
    _check_editable(actor, doc)
    check_input(fields, lines)
    before = snapshot(doc)
    _apply(doc, fields, lines)
    doc.updated_at = now_utc()
    db.session.flush()
    _event(doc, actor, "edited")
    audit.record(actor, "return.update", doc, before=before, after=snapshot(doc))
    return doc


def _check_editable(actor: User, doc: ReturnRequest) -> None:
    if doc.rep_id != actor.id:
        raise Forbidden(_l("只能修改自己的退货申请"))
    if doc.status not in EDITABLE:
        raise DomainError(_l("该退货申请当前状态为“%(status)s”，不能修改", status=STATUS_LABELS[doc.status]))


def _apply(doc: ReturnRequest, fields: dict, lines: list[LineInput]) -> None:
    doc.customer_name = fields["customer_name"].strip()
    doc.customer_id = _own_customer_id(doc.rep.id, doc.customer_name)
    doc.order_ref = fields["order_ref"].strip()
    doc.reason = fields["reason"]
    doc.reason_detail = (fields.get("reason_detail") or "").strip()
    doc.justification = (fields.get("justification") or "").strip() if doc.reason != "quality" else ""
    doc.cost_split = fields["cost_split"].strip()
    doc.lines = [ReturnLine(position=i, product_id=ln.product_id, quantity=ln.quantity, unit_price=ln.unit_price,
                            amount=(ln.unit_price * ln.quantity).quantize(Decimal("0.01")))
                 for i, ln in enumerate(lines)]
    doc.total_amount = sum((ln.amount for ln in doc.lines), Decimal("0.00"))


def own_customers(user: User) -> list[str]:
    """Names of the customers this person owns in the customer archive (offered while typing)."""
    return list(db.session.scalars(select(Customer.name).where(Customer.owner_id == user.id)
                                   .order_by(Customer.name).limit(500)))


def _own_customer_id(rep_id: int, name: str) -> int | None:
    """The archive's customer of that name, if it is the rep's own; otherwise the name stays free text."""
    return db.session.scalar(select(Customer.id).where(Customer.owner_id == rep_id, Customer.name == name)
                             .order_by(Customer.id).limit(1))


def _assign_number(doc: ReturnRequest) -> None:
    """TH-<yyyymm>-<nnnn>, per month; a concurrent insert that took the number makes us try the next."""
    prefix = f"TH-{doc.month.replace('-', '')}-"
    for _attempt in range(5):
        with db.session.no_autoflush:  # not this row before it has its number
            last = db.session.scalar(select(func.max(ReturnRequest.number))
                                     .where(ReturnRequest.number.like(f"{prefix}%")))
        seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
        doc.number = f"{prefix}{seq:04d}"
        db.session.add(doc)  # (again after a lost race: the rolled-back savepoint made it transient)
        try:
            with db.session.begin_nested():
                db.session.flush()
            return
        except IntegrityError:
            continue
    raise DomainError(_l("生成单号冲突，请重试"))


def snapshot(doc: ReturnRequest) -> dict:
    return {"number": doc.number, "customer": doc.customer_name, "order_ref": doc.order_ref, "reason": doc.reason,
            "reason_detail": doc.reason_detail, "justification": doc.justification, "cost_split": doc.cost_split,
            "total": doc.total_amount, "status": doc.status,
            "lines": [[ln.product_id, ln.quantity, ln.unit_price, ln.amount] for ln in doc.lines]}


def _event(doc: ReturnRequest, actor, kind: str, note: str = "", **data) -> ReturnEvent:
    event = ReturnEvent(kind=kind, actor_id=getattr(actor, "id", None), note=note, at=now_utc(),
                        data={k: v if v is None or isinstance(v, int | str | dict) else str(v) for k, v in data.items()})
    doc.events.append(event)
    return event


def _move(actor, doc: ReturnRequest, status: str, action: str, note: str = "", **data) -> None:
    """Every change of state: the new status, a timeline event and an audit entry."""
    before = doc.status
    doc.status = status
    doc.updated_at = now_utc()
    _event(doc, actor, action, note, **data)
    db.session.flush()
    audit.record(actor, f"return.{action}", doc, before={"status": before},
                 after={"status": status, "note": note, **data})


# ---- submission -------------------------------------------------------------------------

def submit(actor: User, doc: ReturnRequest) -> ReturnRequest:
    """The rep files it. Without the complaint form it waits for the assistant, then goes up by itself."""
    _check_editable(actor, doc)
    if not doc.lines:
        raise DomainError(_l("请至少填写一行退货产品"))
    if doc.needs_complaint and doc.complaint is None:
        _move(actor, doc, AWAITING_COMPLAINT, "complaint_requested")
        for assistant in _assistants():
            notify.tell(f"return:{doc.id}:complaint:{len(doc.events)}:u{assistant.id}", assistant,
                        str(_l("请填写品质投诉单：%(number)s %(customer)s", number=doc.number,
                               customer=doc.customer_name)),
                        str(_l("%(rep)s 提交了退货申请 %(number)s（%(reason)s），请与客户确认后填写《品质投诉单》，"
                               "填好后申请自动进入审批。", rep=doc.rep.name, number=doc.number,
                               reason=REASON_LABELS[doc.reason])), doc_url(doc))
        return doc
    approvals.submit(actor, DOC_TYPE, doc)
    return doc


def withdraw(actor: User, doc: ReturnRequest) -> ReturnRequest:
    if doc.rep_id != actor.id:
        raise Forbidden(_l("只能撤回自己的退货申请"))
    if doc.status == AWAITING_COMPLAINT:
        _move(actor, doc, DRAFT, "withdrawn")
        return doc
    req = approval_request(doc)
    if doc.status != PENDING or req is None:
        raise DomainError(_l("该退货申请当前不能撤回"))
    approvals.withdraw(actor, req.id)
    return doc


# ---- complaint form -----------------------------------------------------------------------

def save_complaint(actor: User, doc: ReturnRequest, fields: dict) -> QualityComplaint:
    if actor.role != "assistant":
        raise Forbidden(_l("品质投诉单由销售内勤填写"))
    if not can_fill_complaint(actor, doc):
        raise DomainError(_l("退货申请已进入审批或已结束，品质投诉单不能再修改"))
    errors = {}
    if fields.get("product_id") not in {ln.product_id for ln in doc.lines}:
        errors["product_id"] = _l("请选择本次退货的产品")
    if not (fields.get("defect") or "").strip():
        errors["defect"] = _l("请填写缺陷描述")
    if not (fields.get("customer_demand") or "").strip():
        errors["customer_demand"] = _l("请填写客户诉求")
    if not (fields.get("proposed_handling") or "").strip():
        errors["proposed_handling"] = _l("请填写处理意见")
    if errors:
        raise InputErrors(errors)
    complaint = doc.complaint
    before = None
    if complaint is None:
        complaint = QualityComplaint(filled_by_id=actor.id)
        doc.complaint = complaint
    else:
        before = _complaint_snapshot(complaint)
    complaint.product_id = fields["product_id"]
    complaint.batch = (fields.get("batch") or "").strip()
    complaint.defect = fields["defect"].strip()
    complaint.customer_demand = fields["customer_demand"].strip()
    complaint.proposed_handling = fields["proposed_handling"].strip()
    complaint.filled_by_id, complaint.filled_at = actor.id, now_utc()
    db.session.flush()
    _event(doc, actor, "complaint_filled")
    audit.record(actor, "return.complaint", doc, before=before, after=_complaint_snapshot(complaint))
    if doc.status == AWAITING_COMPLAINT:
        # The rep asked for this submission when filing; it goes up in their name now that the form is there.
        doc._submitted_on_complaint_by = actor
        try:
            approvals.submit(doc.rep, DOC_TYPE, doc)
        finally:
            del doc._submitted_on_complaint_by
    return complaint


def _complaint_snapshot(c: QualityComplaint) -> dict:
    return {"product_id": c.product_id, "batch": c.batch, "defect": c.defect, "customer_demand": c.customer_demand,
            "proposed_handling": c.proposed_handling, "filled_by": c.filled_by_id}


# ---- attachments ---------------------------------------------------------------------------

def sniff_type(head: bytes) -> str | None:
    """The real type from the file's first bytes (the browser's Content-Type is not trusted)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def upload_dir(doc_id: int) -> Path:
    # INSTANCE_DIR is the instance folder (tests point it at their own temporary folder)
    base = current_app.config.get("INSTANCE_DIR") or current_app.instance_path
    return Path(base) / "uploads" / "returns" / str(doc_id)


def attachment_path(att: ReturnAttachment) -> Path:
    return upload_dir(att.return_id) / att.stored_name


@dataclass
class Upload:
    filename: str
    data: bytes
    content_type: str


def prepare_uploads(files: list[tuple[str, bytes]]) -> list[Upload]:
    """Check every file (size, real type) before anything is stored: all of them or none."""
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    prepared = []
    for filename, data in files:
        name = os.path.basename((filename or "").replace("\\", "/")).strip()[:200] or "upload"
        if not data:
            raise DomainError(_l("文件“%(name)s”是空的", name=name), field="files")
        if len(data) > limit:
            raise DomainError(_l("文件“%(name)s”超过 %(mb)d MB", name=name, mb=limit // (1024 * 1024)),
                              field="files")
        content_type = sniff_type(data[:16])
        if content_type is None:
            raise DomainError(_l("文件“%(name)s”不是图片（JPG/PNG/GIF/WEBP）或 PDF", name=name), field="files")
        prepared.append(Upload(name, data, content_type))
    return prepared


def add_attachments(actor: User, doc: ReturnRequest, uploads: list[Upload], kind: str = "photo") -> list:
    if not can_upload(actor, doc):
        raise Forbidden(_l("当前不能为该退货申请上传附件"))
    if not uploads:
        raise DomainError(_l("请选择要上传的文件"), field="files")
    folder = upload_dir(doc.id)
    folder.mkdir(parents=True, exist_ok=True)
    added = []
    for up in uploads:
        stored = uuid.uuid4().hex + ALLOWED_UPLOADS[up.content_type]
        stored_files.write(db.session, folder / stored, up.data)  # removed again on rollback
        att = ReturnAttachment(kind="complaint" if kind == "complaint" else "photo", filename=up.filename,
                               stored_name=stored, content_type=up.content_type, size=len(up.data),
                               uploaded_by_id=actor.id)
        doc.attachments.append(att)
        db.session.flush()
        _event(doc, actor, "attached", up.filename)
        audit.record(actor, "return.attach", doc, after={"attachment": att.id, "file": up.filename,
                                                          "type": up.content_type, "size": len(up.data)})
        added.append(att)
    return added


def remove_attachment(actor: User, att: ReturnAttachment) -> None:
    if not can_delete_attachment(actor, att):
        raise Forbidden(_l("只能在提交前删除自己上传的附件"))
    doc = att.request
    path = attachment_path(att)
    _event(doc, actor, "attachment_removed", att.filename)
    audit.record(actor, "return.attachment.remove", doc, before={"attachment": att.id, "file": att.filename})
    doc.attachments.remove(att)
    db.session.flush()
    path.unlink(missing_ok=True)


def get_attachment_or_404(user: User, doc: ReturnRequest, attachment_id: int) -> ReturnAttachment:
    att = db.session.get(ReturnAttachment, attachment_id)
    if att is None or att.return_id != doc.id or not can_see(user, doc):
        abort(404)
    return att


# ---- the approval engine's side ---------------------------------------------------------------

def _is_role_step(step: dict, role: str) -> bool:
    return step["approver_kind"] == ROLE and step.get("role") == role


def _fixed(step: dict) -> dict:
    """A director/gm step applies to every return, whatever amount, by one person."""
    return {**step, "min_amount": None, "reviewers": 1}


def sign_off_steps(steps: list[dict], owner: User, excluded: set[int]) -> list[dict]:
    """The route for one return: the route's reviews, then the director, then the gm — always last, in order.

    - director/gm steps anywhere in the route are taken out and put back at the end (once each);
    - a review that only the director or gm could decide is dropped (they sign later; nobody signs twice),
      and so is one nobody could decide, or the same single person twice;
    - when the director files the return himself and no other director can decide, the director step
      cannot be decided by anyone else: another approver is required instead — the route's own reviews,
      or a manager's review when the route names none — and the gm still signs last.
    """
    probe = ApprovalRequest(submitter_id=owner.id, steps=[], preparer_ids=[])
    probe.submitter = owner
    director_step = _fixed(next((s for s in steps if _is_role_step(s, "director")), DIRECTOR_STEP))
    gm_step = _fixed(next((s for s in steps if _is_role_step(s, "gm")), GM_STEP))
    reviews: list[dict] = []
    single_deciders: set[int] = set()
    for step in steps:
        if _is_role_step(step, "director") or _is_role_step(step, "gm"):
            continue
        people = [u for u in approvals.step_deciders(probe, step) if u.id not in excluded]
        if not people or all(u.role in ("director", "gm") for u in people):
            continue
        ids = {u.id for u in people}
        if len(ids) == 1 and ids <= single_deciders:
            continue
        if len(ids) == 1:
            single_deciders |= ids
        reviews.append({**step, "reviewers": min(step.get("reviewers", 1), len(ids))})
    other_directors = [u for u in db.session.scalars(select(User).where(User.role == "director", User.active))
                       if u.id not in excluded]
    if other_directors:
        return [*reviews, director_step, gm_step]
    if not reviews:
        reviews.append(approvals.step_dict(_l("销售经理审核（申请人为销售总监）"), ROLE, "manager"))
    return [*reviews, gm_step]


class ReturnAdapter(approvals.ModelAdapter):
    """Declared below; the events are particular (a timeline entry with the decision's note each)."""

    def preparers(self, doc):
        return [doc.complaint.filled_by_id] if doc.complaint else []

    def summary(self, doc):
        reason = str(REASON_LABELS[doc.reason]) + (f"({NOT_IN_PRINCIPLE})" if doc.flagged else "")
        rows = [(_l("客户"), doc.customer_name), (_l("原订单/发货单"), doc.order_ref), (_l("业务员"), doc.rep.name),
                (_l("退货原因"), reason)]
        if doc.reason_detail:
            rows.append((_l("原因说明"), doc.reason_detail))
        if doc.justification:
            rows.append((_l("特殊理由"), doc.justification))
        rows += [(_l("退货产品"), ";".join(f"{ln.product.code} {ln.product.name} × {ln.quantity}" for ln in doc.lines)),
                 (_l("退货金额"), money(doc.total_amount)), (_l("费用分担"), doc.cost_split)]
        if doc.needs_complaint:
            rows.append((_l("品质投诉单"), _l("已填写（%(name)s）", name=doc.complaint.filled_by.name)
                         if doc.complaint else _l("未填写")))
        return rows

    def adjust_steps(self, steps, doc):
        return sign_off_steps(steps, doc.rep, {doc.rep_id, *self.preparers(doc)})

    def on_submitted(self, doc, actor) -> None:
        doc.submitted_at = now_utc()
        by = getattr(doc, "_submitted_on_complaint_by", None)
        note = str(_l("%(name)s 填好品质投诉单后按申请人的提交进入审批", name=by.name)) if by else ""
        _move(actor, doc, PENDING, "submitted", note)

    def on_approved(self, doc, actor) -> None:
        doc.signed_at = now_utc()
        _move(actor, doc, SIGNED, "signed")
        # The rep hears from the engine (one email for the outcome); the assistant takes over from here.
        for assistant in _assistants():
            notify.tell(f"return:{doc.id}:signed:u{assistant.id}", assistant,
                        str(_l("退货已签批，请跟踪：%(number)s %(customer)s", number=doc.number,
                               customer=doc.customer_name)),
                        str(_l("退货申请 %(number)s 已经销售总监同意、总经理签批。请通知客户退货，跟踪货物入库，"
                               "并督促财务完成退款或冲账。", number=doc.number)), doc_url(doc))

    def on_rejected(self, doc, actor, comment: str) -> None:
        # The engine emails the rep the outcome with this comment (one email, not two).
        _move(actor, doc, REJECTED, "rejected", comment)

    def on_returned(self, doc, actor, comment: str) -> None:
        _move(actor, doc, RETURNED, "returned", comment)

    def on_withdrawn(self, doc, actor) -> None:
        _move(actor, doc, WITHDRAWN, "withdrawn")


ADAPTER = approvals.register(ReturnAdapter(
    DOC_TYPE, _l("退货申请"), default_steps=DEFAULT_STEPS, model=ReturnRequest, owner_attr="rep",
    amount_attr="total_amount", endpoint="returns.detail", id_arg="return_id",
    title_of=lambda d: str(_l("退货申请 %(number)s · %(customer)s", number=d.number, customer=d.customer_name))))


def doc_url(doc: ReturnRequest) -> str:
    try:
        return url_for("returns.detail", return_id=doc.id)
    except RuntimeError:  # a job has no request: the blueprint's fixed path
        return f"/returns/{doc.id}"


def _assistants() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == "assistant", User.active).order_by(User.id)))


# ---- tracking after sign-off ----------------------------------------------------------------

def _require(actor: User, doc: ReturnRequest, roles: tuple, status: str, message) -> None:
    if actor.role not in roles:
        raise Forbidden(_l("您不能办理这一步"))
    if doc.status != status:
        raise DomainError(message)


def _not_future(value: date | None, field: str) -> date:
    if value is None:
        raise DomainError(_l("请填写日期"), field=field)
    if value > today_local():
        raise DomainError(_l("日期不能晚于今天"), field=field)
    return value


def notify_customer(actor: User, doc: ReturnRequest, note: str) -> None:
    _require(actor, doc, TRACKERS, SIGNED, _l("只有已签批的退货才能通知客户退货"))
    if not note.strip():
        raise DomainError(_l("请记录通知方式和客户回复"), field="note")
    doc.notified_at, doc.notified_by_id, doc.notify_note = now_utc(), actor.id, note.strip()
    _move(actor, doc, NOTIFIED, "notified", note.strip())


def record_shipment(actor: User, doc: ReturnRequest, carrier: str, tracking_no: str, shipped_on: date | None) -> None:
    _require(actor, doc, TRACKERS, NOTIFIED, _l("请先记录已通知客户退货"))
    errors = {}
    if not carrier.strip():
        errors["carrier"] = _l("请填写物流公司（客户自送请填“客户自送”）")
    try:
        _not_future(shipped_on, "shipped_on")
    except DomainError as exc:
        errors["shipped_on"] = exc.message
    if errors:
        raise InputErrors(errors)
    doc.shipped_at, doc.shipped_by_id = now_utc(), actor.id
    doc.carrier, doc.tracking_no, doc.shipped_on = carrier.strip(), tracking_no.strip(), shipped_on
    _move(actor, doc, SHIPPED, "shipped", carrier=doc.carrier, tracking_no=doc.tracking_no, shipped_on=shipped_on)


def _count(value) -> int | None:
    if isinstance(value, int):
        return value
    text = (value or "").strip()
    if whole_number(text) is not None:
        return whole_number(text)
    raise ValueError(_l("请填写实收数量（整数）"))


def record_receipt(actor: User, doc: ReturnRequest, counted: dict[int, int | str | None], received_on: date | None,
                   note: str) -> None:
    """Counted quantities per line id (as typed). More than approved is refused; a difference must be explained."""
    _require(actor, doc, TRACKERS, SHIPPED, _l("请先记录客户发回的物流信息"))
    errors: dict[str, object] = {}
    differs = False
    parsed: dict[int, int] = {}
    for ln in doc.lines:
        field = f"line_{ln.id}"
        try:
            qty = parsed[ln.id] = _count(counted.get(ln.id))
        except ValueError as exc:
            errors[field] = exc.args[0]
            continue
        if qty < 0:
            errors[field] = _l("实收数量不能为负数")
        elif qty > ln.quantity:
            errors[field] = _l("实收数量 %(got)d 超过批准退货数量 %(approved)d，不能入库", got=qty,
                               approved=ln.quantity)
        elif qty != ln.quantity:
            differs = True
    try:
        _not_future(received_on, "received_on")
    except DomainError as exc:
        errors["received_on"] = exc.message
    if differs and not note.strip():
        errors["note"] = _l("实收数量与批准数量不一致，请说明原因")
    if errors:
        raise InputErrors(errors)
    for ln in doc.lines:
        ln.received_qty = parsed[ln.id]
    doc.received_at, doc.received_by_id = now_utc(), actor.id
    doc.received_on, doc.receipt_note = received_on, note.strip()
    from .order_returns import on_received

    on_received(actor, doc)  # picked from an order: back into stock, never more than shipped
    _move(actor, doc, RECEIVED, "received", note.strip(), received_on=received_on,
          counted={str(ln.product.code): ln.received_qty for ln in doc.lines})
    for person in db.session.scalars(select(User).where(User.role == "finance", User.active).order_by(User.id)):
        notify.tell(f"return:{doc.id}:received:u{person.id}", person,
                    str(_l("退货已入库，请办理退款或冲账：%(number)s", number=doc.number)),
                    str(_l("退货 %(number)s（%(customer)s）已入库，实收金额 %(amount)s。请办理退款或红字冲账。",
                           number=doc.number, customer=doc.customer_name, amount=money(received_value(doc)))),
                    doc_url(doc))


def received_value(doc: ReturnRequest) -> Decimal:
    return sum(((ln.unit_price * (ln.received_qty or 0)).quantize(Decimal("0.01")) for ln in doc.lines),
               Decimal("0.00"))


def record_refund(actor: User, doc: ReturnRequest, kind: str, amount: Decimal | None, on: date | None,
                  reference: str) -> None:
    _require(actor, doc, FINANCE, RECEIVED, _l("货物入库后财务才能办理退款或冲账"))
    errors: dict[str, object] = {}
    if kind not in REFUND_KINDS:
        errors["kind"] = _l("请选择退款或红字冲账")
    limit = received_value(doc)
    if amount is None:
        errors["amount"] = _l("请填写金额")
    elif amount > limit:
        errors["amount"] = _l("金额不能超过实收退货金额 %(limit)s", limit=money(limit))
    try:
        _not_future(on, "on")
    except DomainError as exc:
        errors["on"] = exc.message
    if not reference.strip():
        errors["reference"] = _l("请填写凭证号或红字发票号")
    if errors:
        raise InputErrors(errors)
    doc.refund_kind, doc.refund_amount, doc.refund_date = kind, amount, on
    doc.refund_reference = reference.strip()
    doc.refunded_at, doc.refunded_by_id = now_utc(), actor.id
    _move(actor, doc, REFUNDED, "refunded", refund_kind=kind, amount=amount, date=on, reference=doc.refund_reference)
    for assistant in _assistants():
        notify.todo(f"return:{doc.id}:refunded:u{assistant.id}", assistant,
                    str(_l("财务已办理，可以结案：%(number)s", number=doc.number)), doc_url(doc))


def close(actor: User, doc: ReturnRequest) -> None:
    if actor.role not in TRACKERS:
        raise Forbidden(_l("由销售内勤结案"))
    if doc.status != REFUNDED or doc.received_at is None or doc.refunded_at is None:
        raise DomainError(_l("货物入库并且财务办完退款或冲账后才能结案（当前：%(status)s）",
                             status=STATUS_LABELS[doc.status]))
    doc.closed_at, doc.closed_by_id = now_utc(), actor.id
    _move(actor, doc, CLOSED, "closed")


# ---- desk cards --------------------------------------------------------------------------

def _age_days(since: datetime | None, now: datetime) -> int:
    if since is None:
        return 0
    since = since if since.tzinfo else since.replace(tzinfo=UTC)
    return (now - since).days


def overdue_reason(doc: ReturnRequest, now: datetime | None = None):
    """Why this return is late at its stage, or None."""
    now = now or now_utc()
    if doc.status == AWAITING_COMPLAINT:
        waited = _age_days(doc.updated_at, now)
        if waited > OVERDUE_DAYS["complaint"]:
            return _l("品质投诉单已等待 %(n)d 天", n=waited)
    elif doc.status in (SIGNED, NOTIFIED, SHIPPED):
        waited = _age_days(doc.signed_at, now)
        if waited > OVERDUE_DAYS["receipt"]:
            return _l("签批后 %(n)d 天仍未入库", n=waited)
    elif doc.status == RECEIVED:
        waited = _age_days(doc.received_at, now)
        if waited > OVERDUE_DAYS["refund"]:
            return _l("入库后 %(n)d 天财务仍未办理", n=waited)
    elif doc.status == REFUNDED:
        waited = _age_days(doc.refunded_at, now)
        if waited > OVERDUE_DAYS["close"]:
            return _l("财务办理后 %(n)d 天仍未结案", n=waited)
    return None


def _overdue_sql(now: datetime):
    """overdue_reason() is not None, as a SQL condition: the stage's clock started N + 1 days ago or more
    (a whole number of days past its limit, as _age_days counts them)."""
    def since(column, limit: str):
        return and_(column.is_not(None), column <= now - timedelta(days=OVERDUE_DAYS[limit] + 1))

    return case((ReturnRequest.status == AWAITING_COMPLAINT, since(ReturnRequest.updated_at, "complaint")),
                (ReturnRequest.status.in_((SIGNED, NOTIFIED, SHIPPED)), since(ReturnRequest.signed_at, "receipt")),
                (ReturnRequest.status == RECEIVED, since(ReturnRequest.received_at, "refund")),
                (ReturnRequest.status == REFUNDED, since(ReturnRequest.refunded_at, "close")), else_=false())


def tracking_summary(statuses: tuple[str, ...], shown: int, now: datetime | None = None) -> dict:
    """What the tracking cards show: how many returns are open at those stages, how many of them are
    late, and the first `shown` of tracking_board()'s order (late first, then oldest), in three
    statements whatever the number of open returns."""
    now = now or now_utc()
    late = _overdue_sql(now)
    at_stage = ReturnRequest.status.in_(statuses)
    total, overdue = db.session.execute(select(func.count(ReturnRequest.id),
                                               func.coalesce(func.sum(case((late, 1), else_=0)), 0))
                                        .where(at_stage)).one()
    docs = db.session.scalars(select(ReturnRequest).where(at_stage).options(selectinload(ReturnRequest.rep))
                              .order_by(case((late, 0), else_=1), ReturnRequest.updated_at, ReturnRequest.id)
                              .limit(shown)).all()
    return {"rows": [{"doc": d, "overdue": overdue_reason(d, now)} for d in docs], "total": int(total),
            "overdue": int(overdue)}


def tracking_board(statuses: tuple[str, ...], now: datetime | None = None) -> list[dict]:
    """Open returns at the given stages, oldest first, each with its overdue reason (or None)."""
    now = now or now_utc()
    docs = db.session.scalars(select(ReturnRequest).where(ReturnRequest.status.in_(statuses))
                              .options(selectinload(ReturnRequest.rep))
                              .order_by(ReturnRequest.updated_at, ReturnRequest.id)).all()
    rows = [{"doc": d, "overdue": overdue_reason(d, now)} for d in docs]
    return sorted(rows, key=lambda r: r["overdue"] is None)


# ---- register ------------------------------------------------------------------------------

def signed_month(doc: ReturnRequest) -> str:
    return doc.signed_at.astimezone(SHANGHAI).strftime("%Y-%m") if doc.signed_at else doc.month


def _signed_between(start: str | None, end: str | None):
    """SQL condition: signed off (in Shanghai months) between start and end, both "YYYY-MM"."""
    conditions = []
    if start:
        conditions.append(ReturnRequest.signed_at >= local_instant(month_bounds(start)[0], 0))
    if end:
        conditions.append(ReturnRequest.signed_at < local_instant(month_bounds(end)[1] + timedelta(days=1), 0))
    return and_(true(), *conditions)


def register_rows(user: User, start: str | None = None, end: str | None = None) -> list[ReturnRequest]:
    """Signed returns (and later stages) that `user` may see, by sign-off month between start and end
    (all of them: the Excel export; the page shows one page of register_query)."""
    return list(db.session.scalars(register_query(user, start, end)))


def register_query(user: User, start: str | None = None, end: str | None = None):
    """register_rows() as a statement, for a page of it (the register page shows one page of rows)."""
    return (visible_query(user).where(ReturnRequest.status.in_(TRACKING), _signed_between(start, end))
            .options(selectinload(ReturnRequest.rep),
                     selectinload(ReturnRequest.lines).selectinload(ReturnLine.product))
            .order_by(ReturnRequest.signed_at.desc(), ReturnRequest.id.desc()))


def _fen(value) -> Decimal:
    """A summed amount as Decimal with two places (SQLite may hand back a float or an int for 0)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def register_totals(user: User, start: str | None = None, end: str | None = None, top: int | None = None) -> dict:
    """register_summary() of the same rows, grouped and summed in the database: five statements whatever
    the period holds, no return or line loaded. With `top` the customers and reps keep their `top`
    largest by amount (ranked in SQL: a department's year has hundreds of each), and "others" holds,
    per key, how many groups were left out and their sums (the page's 其余 row; the export has them all)."""
    signed = visible_query(user).where(ReturnRequest.status.in_(TRACKING), _signed_between(start, end))
    ids = signed.with_only_columns(ReturnRequest.id)
    refunded = func.coalesce(money_sum(ReturnRequest.refund_amount), 0)

    def grouped(stmt, key, limit=None):
        """[{"key", "count", "amount", "refunded"}] of `stmt` grouped by `key`; with a limit, the largest
        `limit` groups and the number of groups in all."""
        stmt = stmt.with_only_columns(key.label("k"), func.count(ReturnRequest.id).label("n"),
                                      money_sum(ReturnRequest.total_amount).label("a"), refunded.label("r")).group_by(key)
        if limit is not None:
            ranked = stmt.add_columns(
                func.row_number().over(order_by=(money_sum(ReturnRequest.total_amount).desc(), key)).label("i"),
                func.count().over().label("groups")).subquery()
            stmt = select(ranked.c.k, ranked.c.n, ranked.c.a, ranked.c.r, ranked.c.groups).where(ranked.c.i <= limit)
        rows = list(db.session.execute(stmt))
        groups = [{"key": row[0], "count": row[1], "amount": row[2], "refunded": _fen(row[3])} for row in rows]
        return groups, (rows[0][4] if rows and limit is not None else len(groups))

    months, _n = grouped(signed, local_month(ReturnRequest.signed_at))
    reasons, _n = grouped(signed, ReturnRequest.reason)
    customers, customer_groups = grouped(signed, ReturnRequest.customer_name, top)
    # Grouped by the rep's name: two reps of one name add up, as the export's summary does.
    reps, rep_groups = grouped(signed.join(User, ReturnRequest.rep_id == User.id), User.name, top)
    products = (select(Product.code, Product.name, Product.spec, func.sum(ReturnLine.quantity),
                       money_sum(ReturnLine.amount), func.coalesce(func.sum(ReturnLine.received_qty), 0))
                .join(Product, ReturnLine.product_id == Product.id).where(ReturnLine.return_id.in_(ids))
                .group_by(Product.code, Product.name, Product.spec))
    product_rows = [{"key": (code, name, spec), "quantity": int(qty), "amount": amount, "received": int(received)}
                    for code, name, spec, qty, amount, received in db.session.execute(products)]
    out = {
        "month": sorted(months, key=lambda g: g["key"]),
        "reason": sorted(reasons, key=lambda g: REASONS.index(g["key"])),
        "customer": sorted(customers, key=lambda g: -g["amount"]),
        "rep": sorted(reps, key=lambda g: -g["amount"]),
        "product": sorted(product_rows, key=lambda g: -g["amount"]),
        "total": sum((g["amount"] for g in months), Decimal("0.00")),
        "refunded": sum((g["refunded"] for g in months), Decimal("0.00")),
        "count": sum(g["count"] for g in months),
    }
    out["others"] = {key: {"groups": groups - len(out[key]), "count": out["count"] - sum(g["count"] for g in out[key]),
                           "amount": out["total"] - sum((g["amount"] for g in out[key]), Decimal("0.00")),
                           "refunded": out["refunded"] - sum((g["refunded"] for g in out[key]), Decimal("0.00"))}
                     for key, groups in (("customer", customer_groups), ("rep", rep_groups))}
    return out


def monthly_totals(user: User, months: list[str]) -> dict:
    """{"month": [{"key", "count", "amount"}…], "count", "total"} of the signed returns `user` may see,
    grouped in the database (the desks' chart: no return or line is loaded)."""
    month = local_month(ReturnRequest.signed_at)
    stmt = (visible_query(user).with_only_columns(month, func.count(ReturnRequest.id),
                                                  money_sum(ReturnRequest.total_amount))
            .where(ReturnRequest.status.in_(TRACKING), _signed_between(months[0], months[-1]))
            .group_by(month))
    groups = [{"key": key, "count": count, "amount": amount} for key, count, amount in db.session.execute(stmt)]
    return {"month": sorted(groups, key=lambda g: g["key"]), "count": sum(g["count"] for g in groups),
            "total": sum((g["amount"] for g in groups), Decimal("0.00"))}


def _group(docs, key) -> list[dict]:
    groups: dict = defaultdict(lambda: {"count": 0, "amount": Decimal("0.00"), "refunded": Decimal("0.00")})
    for d in docs:
        g = groups[key(d)]
        g["count"] += 1
        g["amount"] += d.total_amount
        g["refunded"] += d.refund_amount or Decimal("0.00")
    return [{"key": k, **v} for k, v in groups.items()]


def register_summary(docs: list[ReturnRequest]) -> dict:
    by_product: dict = defaultdict(lambda: {"quantity": 0, "amount": Decimal("0.00"), "received": 0})
    for d in docs:
        for ln in d.lines:
            p = by_product[(ln.product.code, ln.product.name, ln.product.spec)]
            p["quantity"] += ln.quantity
            p["amount"] += ln.amount
            p["received"] += ln.received_qty or 0
    return {
        "month": sorted(_group(docs, signed_month), key=lambda g: g["key"]),
        "reason": sorted(_group(docs, lambda d: d.reason), key=lambda g: REASONS.index(g["key"])),
        "customer": sorted(_group(docs, lambda d: d.customer_name), key=lambda g: -g["amount"]),
        "rep": sorted(_group(docs, lambda d: d.rep.name), key=lambda g: -g["amount"]),
        "product": sorted(({"key": k, **v} for k, v in by_product.items()), key=lambda g: -g["amount"]),
        "total": sum((d.total_amount for d in docs), Decimal("0.00")),
        "refunded": sum((d.refund_amount or Decimal("0.00") for d in docs), Decimal("0.00")),
        "count": len(docs),
    }


def last_months(n: int, today: date | None = None) -> list[str]:
    today = today or today_local()
    y, m = today.year, today.month
    months = []
    for _i in range(n):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return months[::-1]


def chart_data(summary: dict, months: list[str] | None = None) -> dict:
    """Returned amount per sign-off month, for Chart.js (a bar per month; `months` fills the gaps)."""
    by_month = {g["key"]: g for g in summary["month"]}
    labels = months or sorted(by_month)
    # Decimal as text: Chart.js reads "1234.50" as a number, and no float is ever made of money.
    return {"type": "bar", "labels": labels,
            "datasets": [{"label": str(_l("退货金额（元）")),
                          "data": [str(by_month[m]["amount"]) if m in by_month else "0" for m in labels]}]}

