"""Stock of sellable products (库存, SPEC 2.9).

- the assistant records the warehouse's receipts (入库) as they come; each is a movement with the
  balance after it, never edited;
- stock is row-locked (after the audit chain lock, in product id order) by every writer: entering
  an order reserves, a checked shipment takes from on hand, a received return puts back; CHECK
  constraints back it up, so stock never goes negative;
- the weekly stock check and the month-end count record book and counted quantities; a
  difference (差异) needs its explanation and is booked as a count movement; finance locks the
  month-end count. A count is never edited (a correction is a new count); once finance has locked
  the month's count, no other month-end count of that month is taken.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..clock import month_of, now_utc, today_local
from ..extensions import db
from ..models import Product, User
from ..models.orders import M_COUNT, M_RECEIPT, ProductMovement, ProductStock, StockCount
from . import audit
from .errors import AlreadyDecided, DomainError, Forbidden
from .samples import InputErrors, parse_quantity

KEEPERS = ("assistant", "manager")
READERS = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")
COUNT_LOCKERS = ("finance",)
KIND_LABELS = {"receipt": _l("入库"), "shipment": _l("发货出库"), "return": _l("退货入库"), "count": _l("盘点差异")}


def _text(value, limit: int, label, field: str, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_l("请填写%(label)s", label=label), field=field)
    if len(value) > limit:
        raise DomainError(_l("%(label)s最多 %(n)d 个字", label=label, n=limit), field=field)
    return value


def lock(product_ids) -> dict[int, ProductStock]:
    """The stock rows of these products under row locks, in id order (created empty if missing)."""
    ids = sorted(set(product_ids))
    existing = set(db.session.scalars(select(ProductStock.product_id).where(ProductStock.product_id.in_(ids))))
    for pid in ids:
        if pid not in existing:
            db.session.add(ProductStock(product_id=pid, on_hand=0, reserved=0))
    db.session.flush()
    rows = db.session.scalars(select(ProductStock).where(ProductStock.product_id.in_(ids))
                              .order_by(ProductStock.product_id).with_for_update()
                              .execution_options(populate_existing=True))
    return {row.product_id: row for row in rows}


def available(product_ids) -> dict[int, int]:
    """What may still be ordered per product (no lock: for the form's live check)."""
    product_ids = list(product_ids)
    rows = db.session.execute(select(ProductStock.product_id, ProductStock.on_hand - ProductStock.reserved)
                              .where(ProductStock.product_id.in_(product_ids)))
    found = dict(rows.all())
    return {pid: found.get(pid, 0) for pid in product_ids}


def move(actor: User, stock: ProductStock, kind: str, quantity: int, *, reference: str = "", note: str = "",
         shipment_id: int | None = None, return_id: int | None = None, batch: str = "",
         packaging: str = "") -> ProductMovement:
    """Book one signed movement on a locked stock row."""
    stock.on_hand += quantity
    if stock.on_hand < 0 or stock.reserved > stock.on_hand:
        raise DomainError(_l("库存不足：%(name)s", name=stock.product.name))
    row = ProductMovement(product_id=stock.product_id, kind=kind, quantity=quantity, balance=stock.on_hand,
                          reference=reference, note=note, shipment_id=shipment_id, return_id=return_id,
                          batch=batch or stock.batch, packaging=packaging or stock.packaging, by_id=actor.id,
                          at=now_utc())
    db.session.add(row)
    return row


def receive(actor: User, product: Product | None, quantity, batch: str = "", packaging: str = "",
            reference: str = "", note: str = "") -> ProductMovement:
    """入库: what the warehouse received, recorded by the assistant."""
    if actor.role not in KEEPERS:
        raise Forbidden(_l("入库由销售内勤登记"))
    errors = {}
    if product is None or not product.active:
        errors["product_id"] = _l("请选择产品")
    try:
        qty = parse_quantity(quantity)
    except DomainError as exc:
        errors["quantity"] = exc.message
    values = {}
    for name, value, limit, label in (("batch", batch, 60, _l("批号")), ("packaging", packaging, 60, _l("包装")),
                                      ("reference", reference, 60, _l("入库单号")), ("note", note, 200, _l("备注"))):
        try:
            values[name] = _text(value, limit, label, name)
        except DomainError as exc:
            errors[name] = exc.message
    if errors:
        raise InputErrors(errors)
    audit.lock()
    stock = lock([product.id])[product.id]
    if values["batch"]:
        stock.batch = values["batch"]
    if values["packaging"]:
        stock.packaging = values["packaging"]
    row = move(actor, stock, M_RECEIPT, qty, reference=values["reference"], note=values["note"],
               batch=values["batch"], packaging=values["packaging"])
    db.session.flush()
    audit.record(actor, "stock.receipt", row, after={"product": product.code, "quantity": qty,
                                                     "balance": stock.on_hand, "batch": values["batch"]})
    return row


def stock_rows():
    """Every active product with its stock row (outer join: never received shows 0)."""
    return (select(Product, ProductStock).outerjoin(ProductStock, ProductStock.product_id == Product.id)
            .where(Product.active).order_by(Product.code))


def movements(product: Product) -> list[ProductMovement]:
    return list(db.session.scalars(select(ProductMovement).where(ProductMovement.product_id == product.id)
                                   .order_by(ProductMovement.id.desc()).limit(200)))


def totals(product_id: int) -> dict[str, int]:
    """Sum of movements by kind: stock equals receipts − shipments + returns (+ count differences)."""
    rows = db.session.execute(select(ProductMovement.kind, func.sum(ProductMovement.quantity))
                              .where(ProductMovement.product_id == product_id).group_by(ProductMovement.kind))
    return {kind: int(total) for kind, total in rows}


# ---- stock checks (盘点) -------------------------------------------------------------------

def record_count(actor: User, kind: str, counted: dict[int, object], reasons: dict[int, str]) -> StockCount:
    """The weekly check or the month-end count: a difference needs its reason; it is booked."""
    if actor.role not in KEEPERS:
        raise Forbidden(_l("盘点由销售内勤登记"))
    if kind not in ("weekly", "month_end"):
        raise DomainError(_l("请选择盘点类型"), field="kind")
    errors, parsed = {}, {}
    for pid, raw in counted.items():
        if not str(raw or "").strip():
            continue
        try:
            parsed[pid] = parse_quantity(raw, allow_zero=True)
        except DomainError as exc:
            errors[f"count_{pid}"] = exc.message
    if not parsed and not errors:
        raise DomainError(_l("请至少填写一种产品的实盘数量"), field="lines")
    known = set(db.session.scalars(select(Product.id).where(Product.id.in_(parsed), Product.active)))
    for pid in [p for p in parsed if p not in known]:
        errors[f"count_{pid}"] = _l("请选择产品")
        del parsed[pid]
    if errors:
        raise InputErrors(errors)
    audit.lock()
    stocks = lock(parsed)
    today = today_local()
    month = month_of(today)
    if kind == "month_end" and db.session.scalar(select(StockCount.id).where(
            StockCount.kind == "month_end", StockCount.month == month, StockCount.locked_at.is_not(None))):
        raise DomainError(_l("本月月末盘点已由财务锁定"), field="kind")
    lines = []
    for pid, qty in parsed.items():
        book = stocks[pid].on_hand
        reason = (reasons.get(pid) or "").strip()[:200]
        if qty != book and not reason:
            errors[f"reason_{pid}"] = _l("账实不符（账面 %(book)d，实盘 %(n)d），请说明差异原因", book=book, n=qty)
        if qty < stocks[pid].reserved:
            errors[f"count_{pid}"] = _l("实盘少于已制单占用的 %(n)d，请先处理订单", n=stocks[pid].reserved)
        lines.append({"product_id": pid, "book": book, "counted": qty, "reason": reason})
    if errors:
        raise InputErrors(errors)
    count = StockCount(kind=kind, counted_on=today, month=month, lines=lines, counted_by_id=actor.id)
    db.session.add(count)
    db.session.flush()
    for line in lines:
        if line["counted"] != line["book"]:
            move(actor, stocks[line["product_id"]], M_COUNT, line["counted"] - line["book"],
                 reference=f"PD-{count.id}", note=line["reason"])
    db.session.flush()
    audit.record(actor, "stock.count", count, after={"kind": kind, "lines": lines})
    return count


def lock_count(actor: User, count: StockCount) -> StockCount:
    """Finance confirms the month-end count with the assistant: it can no longer be redone."""
    if actor.role not in COUNT_LOCKERS:
        raise Forbidden(_l("月末盘点由财务确认锁定"))
    if count.kind != "month_end":
        raise DomainError(_l("只有月末盘点需要财务锁定"))
    audit.lock()
    count = db.session.scalar(select(StockCount).where(StockCount.id == count.id).with_for_update()
                              .execution_options(populate_existing=True))
    if count.locked_at is not None:
        raise AlreadyDecided(_l("该盘点已锁定"))
    if db.session.scalar(select(StockCount.id).where(StockCount.kind == "month_end", StockCount.month == count.month,
                                                     StockCount.locked_at.is_not(None))):
        raise AlreadyDecided(_l("本月月末盘点已由财务锁定"))
    count.locked_by_id, count.locked_at = actor.id, now_utc()
    db.session.flush()
    audit.record(actor, "stock.count.lock", count, after={"locked": True})
    return count


def counts():
    return select(StockCount).order_by(StockCount.id.desc())


KIND_NAMES = {"weekly": _l("每周盘点"), "month_end": _l("月末盘点（与财务）")}


def count_lines(count: StockCount) -> list[dict]:
    """The count's lines with their products, for the page (a product since removed shows its id)."""
    products = {p.id: p for p in db.session.scalars(select(Product).where(
        Product.id.in_([ln["product_id"] for ln in count.lines])))}
    return [{**ln, "product": products.get(ln["product_id"]), "difference": ln["counted"] - ln["book"]}
            for ln in count.lines]


def differences(count: StockCount) -> int:
    return sum(1 for ln in count.lines if ln["counted"] != ln["book"])


def can_lock(user: User, count: StockCount) -> bool:
    return user.role in COUNT_LOCKERS and count.kind == "month_end" and count.locked_at is None
