"""The product lines of a document form (lines-<n>-product_id / -quantity / -unit_price) as typed, for the
order, quotation and contract forms: each row becomes the service's line input with its row number, the
price parsed (or its error kept for the row), so the service checks every row and names the wrong field."""

import re

from flask import request

from .money_input import parse_amount

ROW = re.compile(r"^lines-(\d+)-(product_id|quantity|unit_price)$")
MAX_ROWS = 60  # a form never carries more; more keys are ignored rather than parsed


def _row(make, row: int, data: dict):
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
    return make(product_id, (data.get("quantity") or "").strip(), price, row=row, price_error=price_error)


def typed_lines(make) -> list:
    """`make(product_id, quantity, unit_price, row=…, price_error=…)` for each typed row, in row order."""
    rows: dict[int, dict] = {}
    for key, value in request.form.items():
        m = ROW.match(key)
        if m and (int(m.group(1)) in rows or len(rows) < MAX_ROWS):
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = value
    return [_row(make, row, data) for row, data in sorted(rows.items())]
