"""All models, imported here so that metadata (and Alembic) sees every table."""

from .approvals import (
    ApprovalDecision,
    ApprovalReminder,
    ApprovalRequest,
    ApprovalRoute,
    Delegation,
    RouteStep,
)
from .audit import AuditEntry
from .catalog import Product
from .outbox import Email, Todo
from .people import ROLE_RANK, ROLES, Region, Team, User
from .settings import Setting

__all__ = [
    "ApprovalDecision", "ApprovalReminder", "ApprovalRequest", "ApprovalRoute", "Delegation", "RouteStep",
    "AuditEntry", "Email", "Product", "ROLES", "ROLE_RANK", "Region", "Setting", "Team", "Todo", "User"]
