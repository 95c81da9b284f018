"""The spend reports page (+ Excel): by person, category, region and month; promotions; advances."""

from flask import request
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.styles import Font

from ..services import advances, expense_reports, ledger, promotions
from ..services.expenses import CATEGORY_LABELS
from ..web.excel import append_row, send_workbook
from ..web.guards import role_required
from ..web.rendering import render
from . import bp

MONEY = "#,##0.00"


def _months() -> list[str]:
    start, end = request.args.get("from", ""), request.args.get("to", "")
    if start and end:
        return expense_reports.month_range(ledger.parse_period(start), ledger.parse_period(end))
    return expense_reports.last_months(6)


@bp.get("/reports")
@role_required(*expense_reports.READERS)
def reports():
    months = _months()
    spend = expense_reports.spend(current_user, months)
    promos = promotions.budget_vs_actual(current_user)
    outstanding = advances.outstanding_by_person() if current_user.role in advances.OUTSTANDING_READERS else []
    if request.args.get("format") == "xlsx":
        return send_workbook(_workbook(spend, promos, outstanding), f"spend-{months[0]}-{months[-1]}.xlsx")
    return render("expenses/reports.html", "report", spend=spend, months=months, promos=promos,
                  outstanding=outstanding, chart=expense_reports.chart_data(spend), category_labels=CATEGORY_LABELS)


def _sheet(wb: Workbook, title: str, headers: list[str], rows) -> None:
    ws = wb.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(ws, row)
        for cell in ws[ws.max_row]:
            if cell.column > 1 and not isinstance(cell.value, str | int):
                cell.number_format = MONEY


def _workbook(spend, promos, outstanding) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "按人员", ["人员", "金额"], spend.sorted("by_person"))
    _sheet(wb, "按类别", ["类别", "金额"], [(str(CATEGORY_LABELS.get(k, k)), v) for k, v in spend.sorted("by_category")])
    _sheet(wb, "按区域", ["区域", "金额"], spend.sorted("by_region"))
    _sheet(wb, "按月份", ["月份", "金额"], [(m, spend.by_month.get(m, expense_reports.ZERO)) for m in spend.months])
    _sheet(wb, "促销预算与实际", ["活动", "申请人", "预算", "实际", "差额"],
           [(p.activity, p.owner.name, p.budget_total, p.actual_total, p.gap) for p in promos])
    _sheet(wb, "未结清借款", ["借款人", "笔数", "借款金额", "未结清"],
           [(r["user"].name, r["count"], r["amount"], r["outstanding"]) for r in outstanding])
    return wb
