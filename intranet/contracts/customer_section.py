"""The customer page's contract section: the customer's contracts the viewer may see (a rep their own,
a supervisor the team's, the leaders, assistant and finance all). The customer template includes
contracts/_customer_contracts.html, which asks for them here."""

from flask_login import current_user

from ..services import contracts as svc
from . import CONTRACT_ROLES, bp


@bp.app_template_global()
def customer_contracts(customer) -> list | None:
    """None: the viewer has no contract pages (the section is not shown)."""
    if current_user.role not in CONTRACT_ROLES:
        return None
    return svc.customer_contracts(current_user, customer.id)


@bp.app_template_global()
def contract_kind_label(kind: str):
    return svc.KIND_LABELS.get(kind, kind)


@bp.app_template_global()
def contract_status_label(status: str):
    return svc.STATUS_LABELS.get(status, status)
