"""Excel export of any list: header row, typed cells (Decimal stays a number with 2 places)."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from flask import send_file
from openpyxl import Workbook
from openpyxl.styles import Font

from .formatting import local


def _cell(value):
    if isinstance(value, datetime):
        return local(value).replace(tzinfo=None)
    return value


def workbook(title: str, headers: list[str], rows) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_cell(v) for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
            elif isinstance(cell.value, datetime | date):
                cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(cell.value, datetime) else "yyyy-mm-dd"
    return wb


def send_workbook(wb: Workbook, filename: str):
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    return send_file(buf, as_attachment=True, download_name=filename,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
