"""The product lines of the quotation and contract forms (lines-<n>-product_id / -quantity / -unit_price),
read as the order form reads them: the service checks each row and names the wrong field."""

import re

from flask import request

from ..extensions import db
from ..models.customers import Customer
from ..services.contracts import LineInput
from ..services.errors import DomainError
from ..web.actions import failed
from ..web.money_input import parse_amount

ROW = re.compile(r"^lines-(\d+)-(product_id|quantity|unit_price)$")
NEW_ROWS = 4
MAX_ROWS = 60


def _row(row: int, data: dict) -> LineInput:
    price, price_error = None, None
    raw_price = (data.get("unit_price") or "").strip()
    if raw_price:
        try:
            price = parse_amount(raw_price)
        except ValueError as exc:
            price_error = exc.args[0]
    try:
        product_id = int(data.get("product_id") or 0) or None
    except ValueError:
        product_id = None
    return LineInput(product_id, (data.get("quantity") or "").strip(), price, row=row, price_error=price_error)


def from_form() -> list[LineInput]:
    rows: dict[int, dict] = {}
    for key, value in request.form.items():
        m = ROW.match(key)
        if m and (int(m.group(1)) in rows or len(rows) < MAX_ROWS):
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = value
    return [_row(row, data) for row, data in sorted(rows.items())]


def from_document(doc) -> list[LineInput]:
    return [LineInput(ln.product_id, ln.quantity, ln.unit_price, row=i) for i, ln in enumerate(doc.lines)]


def padded(lines: list[LineInput]) -> list[LineInput]:
    """The typed rows plus blank ones, so that there are always a few free rows to fill."""
    lines = list(lines)
    next_row = max((ln.row for ln in lines), default=-1) + 1
    for extra in range(max(NEW_ROWS - len(lines), 1)):
        lines.append(LineInput(None, "", None, row=next_row + extra))
    return lines


def save(form, work):
    """Call `work(customer, lines)` with what the form holds; on a refusal the messages go next to their
    fields (the line ones kept in form.line_errors) and None says: show the form again."""
    customer = db.session.get(Customer, form.customer_id.data) if form.customer_id.data else None
    try:
        return work(customer, from_form())
    except DomainError as exc:
        form.line_errors = failed(form, exc)
        return None
