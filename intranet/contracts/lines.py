"""The product lines of the quotation and contract forms (lines-<n>-product_id / -quantity / -unit_price),
read as the order form reads them: the service checks each row and names the wrong field."""



from ..extensions import db
from ..models.customers import Customer
from ..services.contracts import LineInput
from ..services.errors import DomainError
from ..web.actions import failed
from ..web.product_lines import typed_lines

NEW_ROWS = 4


def from_form() -> list[LineInput]:
    return typed_lines(LineInput)


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
