"""Samples and sales materials (样品与物料, SPEC 2.5): the store, requests, issue with double review.

Rules, whatever the UI shows:
- a rep sees their own requests, a supervisor their team's, manager/director/gm/assistant all;
  finance sees none of it (not a money document);
- a request is approved through the approval engine: the line manager, and above the setting
  `sample_manager_threshold` (value at unit cost) also the sales manager;
- stock moves only when a second person checks (复核) a receipt, an issue or a return — never the
  one who prepared it. An issue reserves its quantities when prepared, so two issues can never
  promise the same unit; stock and reservations are row-locked (after the audit chain lock) and
  CHECK constraints back it up: stock never goes negative;
- an issue beyond what is available is refused naming the shortfall, which can be registered
  (缺货登记) and is reported to the rep's supervisor.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..clock import month_bounds, month_of, now_utc, today_local
from ..extensions import db
from ..models import ApprovalRequest, Customer, Todo, User
from ..models.samples import (
    APPROVED,
    CANCELLED,
    CATEGORIES,
    CHECKED,
    DRAFT,
    EDITABLE,
    ISSUABLE,
    ISSUE,
    ISSUED,
    PARTLY_ISSUED,
    PENDING,
    RECEIPT,
    REJECTED,
    RETURN,
    RETURNED,
    TO_CHECK,
    WITHDRAWN,
    SampleItem,
    SampleRequest,
    SampleRequestLine,
    Shortage,
    StockDoc,
    StockDocLine,
    StockMovement,
)
from ..models.visits import PlannedVisit, VisitPlan
from ..web.formatting import money
from . import approvals, audit, notify, numbering
from . import settings as company_settings
from .errors import AlreadyDecided, DomainError, Forbidden
from .locking import lock_row
from .text_rules import whole_number

DOC_TYPE = "sample_request"
MAX_QTY = 100000

ALL_SEEING = ("manager", "director", "gm", "assistant")
SAMPLE_ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant")
REQUESTERS = ("rep", "supervisor", "manager")
KEEPERS = ("assistant", "manager")  # keep the store: receipts, issues, returns, item cards
CHECKERS = ("assistant", "manager", "director")  # the second pair of eyes (复核)

CATEGORY_LABELS = {"sample": _l("样品"), "brochure": _l("彩页"), "card": _l("名片"), "gift": _l("礼品")}
STATUS_LABELS = {DRAFT: _l("草稿"), PENDING: _l("审批中"), RETURNED: _l("退回修改"), WITHDRAWN: _l("已撤回"),
                 REJECTED: _l("已驳回"), APPROVED: _l("待发放"), PARTLY_ISSUED: _l("部分发放"), ISSUED: _l("已发放")}
KIND_LABELS = {RECEIPT: _l("入库"), ISSUE: _l("发放"), RETURN: _l("归还入库")}
DOC_STATUS_LABELS = {TO_CHECK: _l("待复核"), CHECKED: _l("已复核"), CANCELLED: _l("已作废")}
PREFIX = {RECEIPT: "RK", ISSUE: "FF", RETURN: "GH"}


class InputErrors(DomainError):
    """Several field errors at once: {field: message}."""

    def __init__(self, errors: dict[str, object]):
        first = next(iter(errors))
        super().__init__(errors[first], field=first)
        self.errors = errors


# ---- input ------------------------------------------------------------------------------

def parse_quantity(raw, *, allow_zero: bool = False) -> int:
    """A whole number of units typed by a person: '20' → 20; 0, -5, 1e9, 2.5, 'abc' are refused."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        if allow_zero:
            return 0
        raise DomainError(_l("请填写数量"))
    value = whole_number(text)
    if value is None or value < 0:
        raise DomainError(_l("数量必须是正整数"))
    if value == 0 and not allow_zero:
        raise DomainError(_l("数量必须大于零"))
    if value > MAX_QTY:
        raise DomainError(_l("数量过大（最多 %(max)d）", max=MAX_QTY))
    return value


def _text(fields: dict, name: str, limit: int, label, required: bool = False) -> str:
    value = (fields.get(name) or "").strip()
    if required and not value:
        raise DomainError(_l("请填写%(label)s", label=label), field=name)
    if len(value) > limit:
        raise DomainError(_l("%(label)s最多 %(n)d 个字", label=label, n=limit), field=name)
    return value


# ---- visibility -----------------------------------------------------------------------------

def _team_ids(user: User):
    return select(User.id).where(User.reports_to_id == user.id)


def rep_scope(user: User, column):
    if user.role in ALL_SEEING:
        return column.is_not(None) | column.is_(None)
    if user.role == "supervisor":
        return or_(column == user.id, column.in_(_team_ids(user)))
    if user.role in SAMPLE_ROLES:
        return column == user.id
    return column.is_(None) & column.is_not(None)  # nobody


def visible_requests(user: User):
    return select(SampleRequest).where(rep_scope(user, SampleRequest.rep_id))


def can_see_rep(user: User, rep: User | None) -> bool:
    if user.role in ALL_SEEING:
        return True
    if rep is None:
        return False
    return rep.id == user.id or (user.role == "supervisor" and rep.reports_to_id == user.id)


def can_see(user: User, doc: SampleRequest) -> bool:
    if can_see_rep(user, doc.rep):
        return True
    req = approval_request(doc)
    return req is not None and approvals.can_view(user, req)


def get_request_or_404(user: User, request_id: int) -> SampleRequest:
    doc = db.session.get(SampleRequest, request_id)
    if doc is None or not can_see(user, doc):
        abort(404)
    return doc


def get_item_or_404(user: User, item_id: int) -> SampleItem:
    item = db.session.get(SampleItem, item_id)
    if item is None or user.role not in SAMPLE_ROLES:
        abort(404)
    return item


def get_stock_doc_or_404(user: User, doc_id: int) -> StockDoc:
    doc = db.session.get(StockDoc, doc_id)
    if doc is None or user.role not in SAMPLE_ROLES:
        abort(404)
    if doc.request is not None and not can_see(user, doc.request):
        abort(404)
    if doc.request is None and user.role not in (*KEEPERS, *CHECKERS):
        abort(404)
    return doc


def approval_request(doc: SampleRequest) -> ApprovalRequest | None:
    return approvals.request_for(DOC_TYPE, doc.id)


def rep_choices(user: User) -> list[User]:
    stmt = select(User).where(User.role.in_(REQUESTERS), rep_scope(user, User.id)).order_by(User.role.desc(), User.id)
    return list(db.session.scalars(stmt))


# ---- items and receipts ---------------------------------------------------------------------

def save_item(actor: User, item: SampleItem | None, fields: dict) -> SampleItem:
    if actor.role not in KEEPERS:
        raise Forbidden(_l("只有销售内勤或销售经理可以维护样品物料"))
    errors = {}
    values = {}
    for name, limit, label, required in (("code", 40, _l("编码"), True), ("name", 120, _l("名称"), True),
                                         ("spec", 120, _l("型号/规格"), False), ("unit", 20, _l("单位"), True),
                                         ("batch", 60, _l("批号"), False), ("location", 60, _l("库位"), False)):
        try:
            values[name] = _text(fields, name, limit, label, required)
        except DomainError as exc:
            errors[name] = exc.message
    if fields.get("category") not in CATEGORIES:
        errors["category"] = _l("请选择类别")
    try:
        values["low_stock"] = parse_quantity(fields.get("low_stock"), allow_zero=True)
    except DomainError as exc:
        errors["low_stock"] = exc.message
    if fields.get("unit_cost") is None:
        errors.setdefault("unit_cost", _l("请填写单位成本"))
    code = values.get("code")
    if code and db.session.scalar(select(SampleItem.id).where(SampleItem.code == code,
                                                              SampleItem.id != (item.id if item else 0))):
        errors["code"] = _l("编码 %(code)s 已存在", code=code)
    if errors:
        raise InputErrors(errors)
    before = _item_snapshot(item) if item else None
    if item is None:
        item = SampleItem(on_hand=0, reserved=0)
        db.session.add(item)
    for name, value in values.items():
        setattr(item, name, value)
    item.category, item.unit_cost = fields["category"], fields["unit_cost"]
    item.active = bool(fields.get("active", True))
    db.session.flush()
    audit.record(actor, "sample.item.save", item, before=before, after=_item_snapshot(item))
    return item


def _item_snapshot(item: SampleItem) -> dict:
    return {k: getattr(item, k) for k in ("code", "name", "category", "spec", "unit", "batch", "location",
                                          "unit_cost", "low_stock", "active")}


def low_stock_items() -> list[SampleItem]:
    return list(db.session.scalars(select(SampleItem).where(SampleItem.active, SampleItem.on_hand <= SampleItem.low_stock)
                                   .order_by(SampleItem.on_hand - SampleItem.low_stock, SampleItem.code)))


def movements(item: SampleItem) -> list[StockMovement]:
    return list(db.session.scalars(select(StockMovement).where(StockMovement.item_id == item.id)
                                   .options(selectinload(StockMovement.doc)).order_by(StockMovement.id.desc())))


def record_receipt(actor: User, item: SampleItem, quantity, batch: str = "", note: str = "") -> StockDoc:
    """入库: recorded now, in stock once a second person checks it."""
    if actor.role not in KEEPERS:
        raise Forbidden(_l("入库由销售内勤登记"))
    try:
        qty = parse_quantity(quantity)
    except DomainError as exc:
        raise DomainError(exc.message, field="quantity") from None
    fields = {"batch": batch, "note": note}
    batch = _text(fields, "batch", 60, _l("批号"))
    note = _text(fields, "note", 200, _l("备注"))
    if not item.active:
        raise DomainError(_l("该物料已停用"), field="item_id")
    audit.lock()
    doc = _new_doc(actor, RECEIPT, None, note)
    doc.lines.append(StockDocLine(item_id=item.id, quantity=qty, batch=batch, unit_cost=item.unit_cost))
    db.session.flush()
    audit.record(actor, "sample.receipt", doc, after=_doc_snapshot(doc))
    _ask_for_check(doc)
    return doc


# ---- requests -------------------------------------------------------------------------------

@dataclass
class LineInput:
    item_id: int | None
    quantity: object  # as typed; parsed by the service
    row: int = 0


def own_customers(rep: User) -> list[Customer]:
    return list(db.session.scalars(select(Customer).where(Customer.owner_id == rep.id).order_by(Customer.name)))


def own_visits(rep: User) -> list[PlannedVisit]:
    """The rep's planned visits from today on (a request may be for one of them)."""
    return list(db.session.scalars(
        select(PlannedVisit).join(VisitPlan).where(VisitPlan.rep_id == rep.id, PlannedVisit.date >= today_local())
        .options(selectinload(PlannedVisit.customer)).order_by(PlannedVisit.date).limit(60)))


def _check_request(rep: User, fields: dict, lines: list[LineInput]) -> tuple[dict, list[tuple[SampleItem, int]]]:
    errors: dict[str, object] = {}
    customer = visit = None
    if fields.get("customer_id"):
        customer = db.session.get(Customer, fields["customer_id"])
        if customer is None or customer.owner_id != rep.id:
            errors["customer_id"] = _l("请选择自己的客户")
    if fields.get("planned_visit_id"):
        visit = db.session.get(PlannedVisit, fields["planned_visit_id"])
        if visit is None or visit.plan.rep_id != rep.id:
            errors["planned_visit_id"] = _l("请选择自己的拜访计划")
        elif customer is None and "customer_id" not in errors:
            customer = visit.customer
    if customer is None and visit is None and not errors:
        errors["customer_id"] = _l("请选择客户或拜访计划")
    try:
        purpose = _text(fields, "purpose", 500, _l("用途"), required=True)
    except DomainError as exc:
        errors["purpose"], purpose = exc.message, ""
    parsed, seen = [], set()
    for ln in lines:
        if not ln.item_id and not str(ln.quantity or "").strip():
            continue  # an empty row
        item = db.session.get(SampleItem, ln.item_id) if ln.item_id else None
        if item is None or not item.active:
            errors[f"lines-{ln.row}-item_id"] = _l("请选择物料")
            continue
        if item.id in seen:
            errors[f"lines-{ln.row}-item_id"] = _l("同一物料请合并为一行")
            continue
        seen.add(item.id)
        try:
            parsed.append((item, parse_quantity(ln.quantity)))
        except DomainError as exc:
            errors[f"lines-{ln.row}-quantity"] = exc.message
    if not parsed and not any(k.startswith("lines-") for k in errors):
        errors["lines"] = _l("请至少填写一行物料")
    if errors:
        raise InputErrors(errors)
    return {"customer": customer, "visit": visit, "purpose": purpose}, parsed


def create_request(actor: User, fields: dict, lines: list[LineInput]) -> SampleRequest:
    if actor.role not in REQUESTERS:
        raise Forbidden(_l("只有业务人员可以申请领用"))
    checked, parsed = _check_request(actor, fields, lines)
    month = month_of(today_local())
    doc = SampleRequest(rep_id=actor.id, month=month, status=DRAFT, number=_number("LY", SampleRequest, month))
    doc.rep = actor
    db.session.add(doc)
    _apply(doc, checked, parsed)
    db.session.flush()
    audit.record(actor, "sample.request.create", doc, after=request_snapshot(doc))
    return doc


def update_request(actor: User, doc: SampleRequest, fields: dict, lines: list[LineInput]) -> SampleRequest:
    if doc.rep_id != actor.id:
        raise Forbidden(_l("只能修改自己的领用申请"))
    if doc.status not in EDITABLE:
        raise DomainError(_l("该领用申请当前状态为“%(status)s”，不能修改", status=STATUS_LABELS[doc.status]))
    checked, parsed = _check_request(actor, fields, lines)
    before = request_snapshot(doc)
    _apply(doc, checked, parsed)
    db.session.flush()
    audit.record(actor, "sample.request.update", doc, before=before, after=request_snapshot(doc))
    return doc


def _apply(doc: SampleRequest, checked: dict, parsed: list[tuple[SampleItem, int]]) -> None:
    customer, visit = checked["customer"], checked["visit"]
    doc.customer_id = customer.id if customer else None
    doc.customer_name = customer.name if customer else ""
    doc.planned_visit_id = visit.id if visit else None
    doc.purpose = checked["purpose"]
    doc.lines = [SampleRequestLine(item_id=item.id, item=item, quantity=qty) for item, qty in parsed]
    doc.total_value = sum((item.unit_cost * qty for item, qty in parsed), Decimal("0.00"))


def _number(prefix: str, model, month: str) -> str:
    return numbering.monthly(prefix, model, month)


def request_snapshot(doc: SampleRequest) -> dict:
    return {"number": doc.number, "status": doc.status, "customer": doc.customer_name, "visit": doc.planned_visit_id,
            "purpose": doc.purpose, "value": doc.total_value,
            "lines": [[ln.item_id, ln.quantity, ln.issued_qty, ln.returned_qty] for ln in doc.lines]}


def _set_status(doc: SampleRequest, actor, status: str) -> None:
    before = doc.status
    doc.status = status
    audit.record(actor, "sample.request.status", doc, before={"status": before}, after={"status": status})


def submit(actor: User, doc: SampleRequest) -> SampleRequest:
    if doc.rep_id != actor.id:
        raise Forbidden(_l("只能提交自己的领用申请"))
    if doc.status not in EDITABLE:
        raise DomainError(_l("该领用申请已提交，不能重复提交"))
    approvals.submit(actor, DOC_TYPE, doc)
    return doc


def withdraw(actor: User, doc: SampleRequest) -> SampleRequest:
    req = approval_request(doc)
    if doc.rep_id != actor.id:
        raise Forbidden(_l("只能撤回自己的领用申请"))
    if doc.status != PENDING or req is None or not approvals.can_withdraw(req):
        raise DomainError(_l("该领用申请当前不能撤回"))
    approvals.withdraw(actor, req.id)
    return doc


def can_edit(user: User, doc: SampleRequest) -> bool:
    return doc.rep_id == user.id and doc.status in EDITABLE


def can_withdraw(user: User, doc: SampleRequest) -> bool:
    req = approval_request(doc)
    return doc.rep_id == user.id and doc.status == PENDING and req is not None and approvals.can_withdraw(req)


def threshold_steps() -> list[dict]:
    return [approvals.step_dict(_l("直属主管审批"), "line_manager"),
            approvals.step_dict(_l("销售经理审批"), "role", "manager",
                                min_amount=company_settings.get("sample_manager_threshold"))]


def request_url(doc: SampleRequest) -> str:
    try:
        return url_for("samples.request_detail", sample_id=doc.id)
    except RuntimeError:
        return f"/samples/requests/{doc.id}"


class SampleRequestAdapter(approvals.Adapter):
    @property
    def default_steps(self) -> list[dict]:
        return threshold_steps()

    @default_steps.setter
    def default_steps(self, value) -> None:  # the dataclass __init__ assigns it; the settings win
        pass

    def load(self, doc_id):
        return db.session.get(SampleRequest, doc_id)

    def title(self, doc) -> str:
        target = doc.customer_name or str(_l("拜访"))
        return str(_l("样品领用 %(number)s · %(customer)s", number=doc.number, customer=target))

    def amount(self, doc):
        return doc.total_value

    def owner(self, doc):
        return doc.rep

    def url(self, doc) -> str:
        return request_url(doc)

    def summary(self, doc):
        rows = [(_l("申请人"), doc.rep.name), (_l("客户"), doc.customer_name or "—"), (_l("用途"), doc.purpose),
                (_l("价值（按成本）"), money(doc.total_value))]
        rows += [(ln.item.name, f"{ln.quantity} {ln.item.unit}（库存 {ln.item.available}）") for ln in doc.lines]
        return rows

    def on_submitted(self, doc, actor):
        _set_status(doc, actor, PENDING)
        doc.submitted_at = now_utc()

    def on_approved(self, doc, actor):
        _set_status(doc, actor, APPROVED)
        doc.approved_at = now_utc()
        for keeper in db.session.scalars(select(User).where(User.role == "assistant", User.active)):
            notify.tell(f"sample-request:{doc.id}:to-issue:u{keeper.id}", keeper,
                        str(_l("待发放样品：%(title)s", title=self.title(doc))),
                        str(_l("领用申请已审批通过，请安排发放。")), request_url(doc))

    def on_rejected(self, doc, actor, comment):
        _set_status(doc, actor, REJECTED)

    def on_returned(self, doc, actor, comment):
        _set_status(doc, actor, RETURNED)

    def on_withdrawn(self, doc, actor):
        _set_status(doc, actor, WITHDRAWN)


ADAPTER = approvals.register(SampleRequestAdapter(DOC_TYPE, _l("样品领用申请")))


# ---- stock documents: prepare, check, cancel --------------------------------------------------

def _new_doc(actor: User, kind: str, request: SampleRequest | None, note: str) -> StockDoc:
    month = month_of(today_local())
    doc = StockDoc(kind=kind, status=TO_CHECK, request=request, note=note, prepared_by_id=actor.id,
                   prepared_at=now_utc(), number=_number(PREFIX[kind], StockDoc, month))
    doc.prepared_by = actor
    db.session.add(doc)
    return doc


def _doc_snapshot(doc: StockDoc) -> dict:
    return {"number": doc.number, "kind": doc.kind, "status": doc.status, "request": doc.request_id,
            "lines": [[ln.item_id, ln.quantity] for ln in doc.lines], "prepared_by": doc.prepared_by_id,
            "checked_by": doc.checked_by_id}


def _lock_items(item_ids) -> dict[int, SampleItem]:
    """Re-read the items under row locks, in id order (one order for every writer: no deadlock)."""
    ids = sorted(set(item_ids))
    rows = db.session.scalars(select(SampleItem).where(SampleItem.id.in_(ids)).order_by(SampleItem.id)
                              .with_for_update().execution_options(populate_existing=True))
    return {item.id: item for item in rows}


def _pending_qty(kind: str, line_id: int) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(StockDocLine.quantity), 0)).join(StockDoc).where(
        StockDoc.kind == kind, StockDoc.status == TO_CHECK, StockDocLine.request_line_id == line_id)) or 0


def remaining(line: SampleRequestLine) -> int:
    """Still to issue: not yet issued and not on an issue waiting for its check."""
    return line.quantity - line.issued_qty - _pending_qty(ISSUE, line.id)


def returnable(line: SampleRequestLine) -> int:
    return line.issued_qty - line.returned_qty - _pending_qty(RETURN, line.id)


def _quantities(doc: SampleRequest, raw: dict, limit) -> dict[int, int]:
    """{line id: qty} from what was typed; each within `limit(line)`; errors keyed lines-<id>."""
    errors, out = {}, {}
    for ln in doc.lines:
        try:
            qty = parse_quantity(raw.get(ln.id), allow_zero=True)
        except DomainError as exc:
            errors[f"line_{ln.id}"] = exc.message
            continue
        if qty > limit(ln):
            errors[f"line_{ln.id}"] = _l("最多 %(n)d %(unit)s", n=limit(ln), unit=ln.item.unit)
        elif qty:
            out[ln.id] = qty
    if errors:
        raise InputErrors(errors)
    if not out:
        raise DomainError(_l("请至少填写一行数量"), field="lines")
    return out


def issue(actor: User, doc: SampleRequest, raw: dict, note: str = "") -> StockDoc:
    """发放 (possibly part of the request): the quantities are reserved until a second person checks."""
    if actor.role not in KEEPERS:
        raise Forbidden(_l("样品由销售内勤发放"))
    audit.lock()
    doc = lock_row(SampleRequest, doc.id)
    if doc.status not in ISSUABLE:
        raise DomainError(_l("该领用申请当前状态为“%(status)s”，不能发放", status=STATUS_LABELS[doc.status]))
    wanted = _quantities(doc, raw, remaining)
    lines = {ln.id: ln for ln in doc.lines}
    items = _lock_items(lines[i].item_id for i in wanted)
    short = {f"line_{i}": _l("库存不足：%(name)s 本次 %(want)d，可发 %(have)d，缺 %(short)d %(unit)s",
                             name=items[lines[i].item_id].name, want=q, have=items[lines[i].item_id].available,
                             short=q - items[lines[i].item_id].available, unit=items[lines[i].item_id].unit)
             for i, q in wanted.items() if q > items[lines[i].item_id].available}
    if short:
        raise InputErrors(short)
    stock_doc = _new_doc(actor, ISSUE, doc, _text({"note": note}, "note", 200, _l("备注")))
    for line_id, qty in wanted.items():
        item = items[lines[line_id].item_id]
        item.reserved += qty
        stock_doc.lines.append(StockDocLine(item_id=item.id, request_line_id=line_id, quantity=qty,
                                            batch=item.batch, unit_cost=item.unit_cost))
    db.session.flush()
    audit.record(actor, "sample.issue", stock_doc, after=_doc_snapshot(stock_doc))
    _ask_for_check(stock_doc)
    return stock_doc


def return_to_store(actor: User, doc: SampleRequest, raw: dict, note: str = "") -> StockDoc:
    """归还入库: unused samples come back; in stock once checked."""
    if actor.role not in KEEPERS:
        raise Forbidden(_l("归还入库由销售内勤登记"))
    audit.lock()
    doc = lock_row(SampleRequest, doc.id)
    wanted = _quantities(doc, raw, returnable)
    lines = {ln.id: ln for ln in doc.lines}
    stock_doc = _new_doc(actor, RETURN, doc, _text({"note": note}, "note", 200, _l("备注")))
    for line_id, qty in wanted.items():
        item = lines[line_id].item
        stock_doc.lines.append(StockDocLine(item_id=item.id, request_line_id=line_id, quantity=qty,
                                            batch=item.batch, unit_cost=item.unit_cost))
    db.session.flush()
    audit.record(actor, "sample.return", stock_doc, after=_doc_snapshot(stock_doc))
    _ask_for_check(stock_doc)
    return stock_doc


def can_check(user: User, doc: StockDoc) -> bool:
    return doc.status == TO_CHECK and user.role in CHECKERS and user.id != doc.prepared_by_id


def can_cancel(user: User, doc: StockDoc) -> bool:
    return doc.status == TO_CHECK and (user.id == doc.prepared_by_id or can_check(user, doc))


def check(actor: User, doc: StockDoc) -> StockDoc:
    """复核: the second person confirms the counted goods; only now does stock move."""
    if actor.role not in CHECKERS:
        raise Forbidden(_l("您没有复核权限"))
    audit.lock()
    doc = lock_row(StockDoc, doc.id)
    if doc.status != TO_CHECK:
        raise AlreadyDecided(_l("%(number)s 已经%(status)s", number=doc.number, status=DOC_STATUS_LABELS[doc.status]))
    if actor.id == doc.prepared_by_id:
        raise Forbidden(_l("双人复核：经办人不能复核自己经办的单据，请另一位同事复核"))
    request = lock_row(SampleRequest, doc.request_id) if doc.request_id else None
    items = _lock_items(ln.item_id for ln in doc.lines)
    now = now_utc()
    for ln in doc.lines:
        _move(items[ln.item_id], doc, ln, now)
    doc.status, doc.checked_by_id, doc.checked_at = CHECKED, actor.id, now
    doc.month = month_of(today_local())
    if request is not None and doc.kind == ISSUE:
        done = all(ln.issued_qty == ln.quantity for ln in request.lines)
        _set_status(request, actor, ISSUED if done else PARTLY_ISSUED)
        if done:
            close_todos(f"sample-request:{request.id}:to-issue:")
    close_todos(f"sample-check:{doc.id}:")
    db.session.flush()
    audit.record(actor, "sample.check", doc, before={"status": TO_CHECK}, after=_doc_snapshot(doc))
    return doc


def _move(item: SampleItem, doc: StockDoc, ln: StockDocLine, now) -> None:
    if doc.kind == ISSUE:
        item.reserved -= ln.quantity
        item.on_hand -= ln.quantity
        ln.request_line.issued_qty += ln.quantity
        signed = -ln.quantity
    else:
        item.on_hand += ln.quantity
        signed = ln.quantity
        if doc.kind == RETURN:
            ln.request_line.returned_qty += ln.quantity
        elif ln.batch:
            item.batch = ln.batch
    if item.on_hand < 0:  # cannot happen while reservations hold; the CHECK constraint backs it up
        raise DomainError(_l("库存不足：%(name)s", name=item.name))
    db.session.add(StockMovement(item_id=item.id, doc_id=doc.id, kind=doc.kind, quantity=signed,
                                 balance=item.on_hand, at=now))


def cancel(actor: User, doc: StockDoc, note: str = "") -> StockDoc:
    """The preparer withdraws it, or the checker sends it back: nothing moved, the reservation ends."""
    audit.lock()
    doc = lock_row(StockDoc, doc.id)
    if doc.status != TO_CHECK:
        raise AlreadyDecided(_l("%(number)s 已经%(status)s", number=doc.number, status=DOC_STATUS_LABELS[doc.status]))
    if not can_cancel(actor, doc):
        raise Forbidden(_l("只有经办人或复核人可以作废该单据"))
    if doc.kind == ISSUE:
        items = _lock_items(ln.item_id for ln in doc.lines)
        for ln in doc.lines:
            items[ln.item_id].reserved -= ln.quantity
    doc.status = CANCELLED
    close_todos(f"sample-check:{doc.id}:")
    doc.note = (doc.note + "\n" if doc.note else "") + _text({"note": note}, "note", 200, _l("作废原因"))
    db.session.flush()
    audit.record(actor, "sample.cancel", doc, before={"status": TO_CHECK}, after=_doc_snapshot(doc))
    return doc


def to_check(user: User) -> list[StockDoc]:
    """Documents waiting for `user`'s check (never their own)."""
    if user.role not in CHECKERS:
        return []
    return list(db.session.scalars(select(StockDoc).where(StockDoc.status == TO_CHECK, StockDoc.prepared_by_id != user.id)
                                   .options(selectinload(StockDoc.lines).selectinload(StockDocLine.item),
                                            selectinload(StockDoc.prepared_by)).order_by(StockDoc.id)))


def _ask_for_check(doc: StockDoc) -> None:
    """A to-do for each possible checker (no email: the store is checked on the spot)."""
    for user in db.session.scalars(select(User).where(User.role.in_(CHECKERS), User.active,
                                                      User.id != doc.prepared_by_id)):
        notify.todo(f"sample-check:{doc.id}:u{user.id}", user,
                    str(_l("待复核：%(kind)s %(number)s", kind=KIND_LABELS[doc.kind], number=doc.number)),
                    _doc_url(doc))


def close_todos(prefix: str) -> None:
    """The occasion is over (checked, issued, confirmed): its to-dos leave the desks."""
    for todo in db.session.scalars(select(Todo).where(Todo.key.startswith(prefix), Todo.done.is_(False))):
        todo.done = True


def _doc_url(doc: StockDoc) -> str:
    try:
        return url_for("samples.stock_doc", doc_id=doc.id)
    except RuntimeError:
        return f"/samples/docs/{doc.id}"


def issues_to_do() -> list[SampleRequest]:
    return list(db.session.scalars(select(SampleRequest).where(SampleRequest.status.in_(ISSUABLE))
                                   .options(selectinload(SampleRequest.rep)).order_by(SampleRequest.approved_at)))


# ---- shortages (缺货登记) ---------------------------------------------------------------------

def shortfalls(doc: SampleRequest) -> list[tuple[SampleRequestLine, int, int]]:
    """(line, still wanted, available) for the lines the stock cannot cover."""
    out = []
    for ln in doc.lines:
        want = remaining(ln)
        if want > ln.item.available:
            out.append((ln, want, max(ln.item.available, 0)))
    return out


def register_shortage(actor: User, doc: SampleRequest) -> list[Shortage]:
    if actor.role not in KEEPERS:
        raise Forbidden(_l("缺货由销售内勤登记"))
    if doc.status not in ISSUABLE:
        raise DomainError(_l("该领用申请当前状态为“%(status)s”，不能登记缺货", status=STATUS_LABELS[doc.status]))
    found = shortfalls(doc)
    if not found:
        raise DomainError(_l("库存足够，没有缺货"))
    rows = [Shortage(request_id=doc.id, item_id=ln.item_id, wanted=want, available=have, shortfall=want - have,
                     registered_by_id=actor.id) for ln, want, have in found]
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        audit.record(actor, "sample.shortage", row, after={"request": doc.number, "item": row.item_id,
                                                           "shortfall": row.shortfall})
    boss = doc.rep.reports_to
    if boss is not None and boss.active:
        text = "；".join(f"{r.item.name} 缺 {r.shortfall} {r.item.unit}" for r in rows)
        notify.tell(f"sample-shortage:{rows[0].id}", boss,
                    str(_l("样品缺货：%(number)s %(rep)s", number=doc.number, rep=doc.rep.name)),
                    str(_l("领用申请 %(number)s 库存不足：%(text)s。", number=doc.number, text=text)),
                    request_url(doc))
    return rows


def shortages_query(user: User):
    return (select(Shortage).join(SampleRequest).where(rep_scope(user, SampleRequest.rep_id))
            .options(selectinload(Shortage.item), selectinload(Shortage.request).selectinload(SampleRequest.rep))
            .order_by(Shortage.id.desc()))


# ---- on loan (handover) and registers ----------------------------------------------------------

def on_loan(rep: User) -> list[dict]:
    """Samples issued to `rep` and not returned: what a leaver's handover must account for."""
    rows = db.session.execute(
        select(SampleRequestLine, SampleRequest).join(SampleRequest)
        .where(SampleRequest.rep_id == rep.id, SampleRequestLine.issued_qty > SampleRequestLine.returned_qty)
        .options(selectinload(SampleRequestLine.item)).order_by(SampleRequest.id)).all()
    return [{"request": req, "line": ln, "item": ln.item, "quantity": ln.issued_qty - ln.returned_qty,
             "value": ln.item.unit_cost * (ln.issued_qty - ln.returned_qty)} for ln, req in rows]


def register_rows(user: User, month: str, rep_id: int | None = None, customer_id: int | None = None,
                  kinds: tuple = (ISSUE, RETURN)) -> list[tuple[StockDoc, StockDocLine]]:
    """The issuance register (领用发放登记): checked issues and returns of the month, one row per line."""
    stmt = (select(StockDoc).join(SampleRequest).where(
        StockDoc.kind.in_(kinds), StockDoc.status == CHECKED, StockDoc.month == month,
        rep_scope(user, SampleRequest.rep_id))
        .options(selectinload(StockDoc.lines).selectinload(StockDocLine.item),
                 selectinload(StockDoc.request).selectinload(SampleRequest.rep),
                 selectinload(StockDoc.prepared_by), selectinload(StockDoc.checked_by))
        .order_by(StockDoc.checked_at, StockDoc.id))
    if rep_id:
        stmt = stmt.where(SampleRequest.rep_id == rep_id)
    if customer_id:
        stmt = stmt.where(SampleRequest.customer_id == customer_id)
    return [(d, ln) for d in db.session.scalars(stmt) for ln in d.lines]


def register_summary(rows) -> dict:
    """Per rep and per customer: issued and returned quantities and value at cost."""
    groups = {"rep": defaultdict(lambda: {"issued": 0, "returned": 0, "value": Decimal("0.00")}),
              "customer": defaultdict(lambda: {"issued": 0, "returned": 0, "value": Decimal("0.00")})}
    for d, ln in rows:
        sign = 1 if d.kind == ISSUE else -1
        for key, name in (("rep", d.request.rep.name), ("customer", d.request.customer_name or "—")):
            g = groups[key][name]
            g["issued" if sign > 0 else "returned"] += ln.quantity
            g["value"] += sign * ln.unit_cost * ln.quantity
    return {k: sorted(v.items()) for k, v in groups.items()}


def valid_month(text: str | None) -> str:
    try:
        year, mon = (int(p) for p in (text or "").split("-"))
        month_bounds(f"{year:04d}-{mon:02d}")
        return f"{year:04d}-{mon:02d}"
    except (ValueError, TypeError):
        return month_of(today_local())
