"""Period budgets (费用预算): budget vs actual for a month (+ Excel); the director sets and removes them."""

from flask import flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..services import expense_budgets, ledger
from ..services.errors import DomainError
from ..web.excel import send_workbook, workbook
from ..web.form_errors import attach_error
from ..web.guards import role_required
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import BudgetForm


def _page(period: str, form: BudgetForm | None = None, status: int = 200):
    rows = expense_budgets.budget_vs_actual(current_user, period)
    if form is None:
        form = BudgetForm(period=period)
    form.target.choices = expense_budgets.targets() if current_user.role in expense_budgets.SETTERS else []
    return render("expenses/budgets.html", "budgets", status=status, rows=rows, period=period, form=form,
                  may_set=current_user.role in expense_budgets.SETTERS)


@bp.get("/budgets")
@role_required(*expense_budgets.READERS)
def budgets():
    period = ledger.parse_period(request.args.get("month"))
    if request.args.get("format") == "xlsx":
        rows = expense_budgets.budget_vs_actual(current_user, period)
        wb = workbook(f"预算与实际 {period}", ["月份", "范围", "类别", "预算", "实际", "剩余"],
                      [(r.budget.period, r.scope, r.category, r.budget.amount, r.actual, r.remaining) for r in rows])
        for row in wb.active.iter_rows(min_row=2, min_col=4, max_col=6):
            for cell in row:
                cell.number_format = "#,##0.00"
        return send_workbook(wb, f"budgets-{period}.xlsx")
    return _page(period)


@bp.post("/budgets")
@role_required(*expense_budgets.SETTERS)
def budget_set():
    form = BudgetForm()
    form.target.choices = expense_budgets.targets()
    period = ledger.parse_period(form.period.data)
    if not form.validate():
        return _page(period, form, 200)
    try:
        expense_budgets.set_budget(current_user, period=(form.period.data or "").strip(), target=form.target.data,
                                   category=form.category.data, amount=form.amount.amount)
    except DomainError as exc:
        from ..extensions import db

        db.session.rollback()
        attach_error(form, exc)
        return _page(period, form, 200)
    commit()
    flash(_l("预算已保存"), "success")
    return redirect(url_for("expenses.budgets", month=form.period.data.strip()), 303)


@bp.post("/budgets/<int:budget_id>/delete")
@role_required(*expense_budgets.SETTERS)
def budget_delete(budget_id):
    try:
        expense_budgets.delete_budget(current_user, budget_id)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("expenses.budgets"), 303)
    commit()
    flash(_l("预算已删除"), "success")
    return redirect(url_for("expenses.budgets", month=request.form.get("month", "")), 303)
