"""Expense claims, advances and promotion budgets (/expenses/), plus the spend reports."""

from flask import Blueprint

bp = Blueprint("expenses", __name__, url_prefix="/expenses")

from . import cards, demo, demo_claims, routes  # noqa: E402,F401
