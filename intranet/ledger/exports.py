"""The month's statement as an Excel workbook: summary figures on top, then every entry."""

from openpyxl import Workbook
from openpyxl.styles import Font

from ..services import ledger
from ..web.excel import append_row, safe_sheet_title, safe_value

MONEY = "#,##0.00"
HEADERS = ["序号", "日期", "类型", "类别", "摘要", "单据", "收入", "支出", "余额", "记账人", "复核人", "复核时间", "冲正"]
SUMMARY_LABELS = ("期初余额", "本月收到", "本月支出", "归还财务", "期末余额")


def statement_workbook(st: ledger.Statement) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = safe_sheet_title(f"备用金对账单 {st.period}")
    append_row(ws, [f"备用金对账单：{st.account.name}", st.period])
    ws["A1"].font = Font(bold=True, size=13)
    for label, value in zip(SUMMARY_LABELS, (st.opening, st.received, st.spent, st.returned, st.closing), strict=True):
        ws.append([label, value])
        ws.cell(ws.max_row, 2).number_format = MONEY
    if st.settlement is not None:
        ws.append(["结算状态", str(ledger.SETTLEMENT_STATUS_LABELS.get(st.settlement.status, st.settlement.status))])
    ws.append([])
    ws.append(HEADERS)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for e in st.entries:
        append_row(ws, [
            e.seq, e.entry_date, str(ledger.KIND_LABELS[e.kind]), str(ledger.CATEGORY_LABELS.get(e.category, "")),
            e.memo, f"{e.ref_type}#{e.ref_id}" if e.ref_type else "", e.inflow, e.outflow, e.balance,
            e.recorded_by.name, e.confirmed_by.name if e.confirmed_by else "",
            safe_value(e.confirmed_at) if e.confirmed_at else None,
            f"冲正第 {e.reverses.seq} 笔" if e.reverses is not None else ("已冲正" if e.id in st.reversed else ""),
        ])
        row = ws.max_row
        ws.cell(row, 2).number_format = "yyyy-mm-dd"
        for col in (7, 8, 9):
            ws.cell(row, col).number_format = MONEY
        ws.cell(row, 12).number_format = "yyyy-mm-dd hh:mm"
    for col, width in zip("ABCDEFGHIJKLM", (10, 12, 10, 10, 36, 14, 12, 12, 12, 10, 10, 16, 12), strict=True):
        ws.column_dimensions[col].width = width
    return wb
