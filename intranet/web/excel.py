"""Excel export of any list: header row, typed cells (Decimal stays a number with 2 places).

Every cell goes through `safe_value` and every workbook through `send_workbook`, so user text
can neither break a file (openpyxl refuses control characters — one pasted Shift+Enter in a
claim title would otherwise break that export for everyone, for ever once it is in the ledger)
nor run as a formula (a customer named "=HYPERLINK(…)" stays the text it was typed as).
"""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from flask import send_file
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .formatting import local

# Excel and LibreOffice start a formula (or a DDE command) with any of these.
FORMULA_STARTS = ("=", "+", "-", "@")


def safe_value(value):
    """A value openpyxl can write: datetimes in local time, text without illegal characters."""
    if isinstance(value, datetime):
        return local(value).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value



def as_text(cell) -> None:
    """A text cell that looks like a formula is stored — and kept when edited — as text."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True


def append_row(ws, values) -> None:
    """ws.append for user data: safe values, formula-looking text as text, number formats."""
    ws.append([safe_value(v) for v in values])
    for cell in ws[ws.max_row]:
        as_text(cell)
        if isinstance(cell.value, Decimal):
            cell.number_format = "#,##0.00"
        elif isinstance(cell.value, datetime | date):
            cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(cell.value, datetime) else "yyyy-mm-dd"


def workbook(title: str, headers: list[str], rows) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = safe_sheet_title(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(ws, row)
    return wb


def safe_sheet_title(title: str) -> str:
    return "".join(ch for ch in safe_value(title) if ch not in "[]:*?/\\")[:31] or "Sheet"


def neutralise_formulas(wb: Workbook) -> None:
    """The last line of defence for sheets written with ws.append directly: no cell of an
    exported workbook is a formula (exports carry data, never formulas)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    as_text(cell)


def send_workbook(wb: Workbook, filename: str):
    neutralise_formulas(wb)
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    return send_file(buf, as_attachment=True, download_name=filename,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
