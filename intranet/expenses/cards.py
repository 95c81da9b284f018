"""Desk cards and nav links of expenses: my claims and advances; the spend chart for the manager."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import ExpenseClaim, User
from ..models.expenses import APPROVED, EDITABLE, PENDING
from ..models.people import ROLES
from ..services import expense_reports, expenses
from ..web.desk import card, nav


@card("my_expenses", "expenses/cards/mine.html", ("rep", "supervisor"), order=30)
def my_expenses_card(user: User) -> dict:
    open_claims = list(db.session.scalars(
        select(ExpenseClaim).where(ExpenseClaim.claimant_id == user.id,
                                   ExpenseClaim.status.in_((*EDITABLE, PENDING, APPROVED)))
        .order_by(ExpenseClaim.id.desc()).limit(5)))
    return {"claims": open_claims, "outstanding": expenses.outstanding_advances(user.id),
            "status_labels": expenses.STATUS_LABELS}


@card("expense_chart", "expenses/cards/chart.html", ("manager", "director"), order=40)
def expense_chart_card(user: User) -> dict:
    months = expense_reports.last_months(6)
    spend = expense_reports.desk_spend(user, months)
    return {"spend": spend, "chart": expense_reports.chart_data(spend), "months": months}


nav("expenses.claims", _l("费用报销"), ROLES, order=42)
nav("expenses.reports", _l("费用报表"), expense_reports.READERS, order=43)
