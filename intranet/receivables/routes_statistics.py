"""回款统计 and 结算佣金统计表: one service call each (services/collection_statistics.py), the page or its
Excel export; the reader's scope is applied by the service in SQL."""

from datetime import timedelta

from flask import request
from flask_login import current_user

from ..clock import today_local
from ..services import collection_statistics as stats
from ..web.excel import append_row, send_workbook, workbook
from ..web.guards import role_required
from ..web.rendering import render
from . import bp

YEARS_BACK = 5


def _int(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name, type=int)
    return value if value is not None and low <= value <= high else default


def _years() -> list[int]:
    year = today_local().year
    return list(range(year, year - YEARS_BACK, -1))


def _span() -> stats.Span:
    kind = request.args.get("kind") if request.args.get("kind") in stats.KINDS else "month"
    current = stats.current_span(kind)
    year = _int("year", current.year, current.year - 50, current.year + 1)
    number = _int("number", current.number, 1, 12 if kind == "month" else 4)
    return stats.span(kind, year, number)


def _pct(value) -> str:
    return "" if value is None else f"{value}%"


@bp.get("/statistics")
@role_required(*stats.VIEWERS)
def statistics():
    data = stats.statistics(current_user, _span())
    if request.args.get("format") == "xlsx":
        return send_workbook(_statistics_workbook(data), f"collection-statistics-{data.span.label}.xlsx")
    return render("receivables/statistics.html", "report", data=data, years=_years(), stats=stats)


def _figure_cells(f: stats.Figures) -> list:
    return [f.contracts, f.contract_amount, f.invoiced, f.collected, _pct(f.rate), f.overdue]


HEADERS = ["签订合同数", "合同金额", "开票金额", "回款金额", "回款率", "逾期未回款"]


def _statistics_workbook(data: stats.Statistics):
    s = data.span
    wb = workbook(f"回款统计 {s.label}", ["业务员", "团队", *HEADERS],
                  [(ln.name, ln.team, *_figure_cells(ln.figures)) for ln in data.by_rep])
    append_row(wb.active, ["合计", "", *_figure_cells(data.total)])
    for title, lines in (("按团队", data.by_team), ("按区域", data.by_region)):
        if not lines and title == "按团队":
            continue
        ws = wb.create_sheet(title)
        append_row(ws, [title[1:], *HEADERS])
        for ln in lines:
            append_row(ws, [ln.name, *_figure_cells(ln.figures)])
        append_row(ws, ["合计", *_figure_cells(data.total)])
    for ws in wb.worksheets:
        ws.column_dimensions["A"].width = 16
        for col in "BCDEFGH":
            ws.column_dimensions[col].width = 14
    return wb


@bp.get("/commission")
@role_required(*stats.VIEWERS)
def commission():
    # The statement settles a finished month: last month unless another one is asked for.
    last = today_local().replace(day=1) - timedelta(days=1)
    year = _int("year", last.year, last.year - 50, last.year + 1)
    month = _int("month", last.month, 1, 12)
    statement = stats.commission(current_user, year, month)
    if request.args.get("format") == "xlsx":
        return send_workbook(_commission_workbook(statement), f"commission-{statement.span.label}.xlsx")
    return render("receivables/commission.html", "statement", statement=statement, years=_years())


def _commission_workbook(st: stats.CommissionStatement):
    wb = workbook(f"结算佣金统计表 {st.span.label}", ["业务员", "团队", "回款金额", "提成比例（%）", "佣金"],
                  [(x.name, x.team, x.collected, x.rate, x.commission) for x in st.lines])
    append_row(wb.active, ["合计", "", st.collected, "", st.commission])
    ws = wb.active
    ws.column_dimensions["A"].width = 16
    for col in "BCDE":
        ws.column_dimensions[col].width = 16
    return wb
