"""The approval inbox, my submissions, routes and delegations (/approvals/), one blueprint for all roles.

Document pages of every workflow include templates/approvals/_decision_form.html and
_history.html with `req` (an ApprovalRequest) in their context; the template globals
below are what those partials call.
"""

from flask import Blueprint
from flask_login import current_user

from ..services import approvals as engine

bp = Blueprint("approvals", __name__, url_prefix="/approvals")


@bp.app_template_global()
def approval_capacity(req):
    """Whom the current user would decide for on `req`'s current step (None: not theirs to decide)."""
    if req is None or not current_user.is_authenticated:
        return None
    return engine.capacity(current_user, req)


@bp.app_template_global()
def approval_step_states(req):
    return engine.step_states(req)


@bp.app_template_global()
def approval_holders(req):
    return engine.holders(req)


@bp.app_template_global()
def approval_can_withdraw(req):
    return engine.can_withdraw(req)


@bp.app_template_global()
def approval_status_label(status: str):
    return engine.STATUS_LABELS.get(status, status)


@bp.app_template_global()
def approval_action_label(action: str):
    return engine.ACTION_LABELS.get(action, action)


@bp.app_template_global()
def approval_type_label(doc_type: str):
    adapter = engine.ADAPTERS.get(doc_type)
    return adapter.label if adapter else doc_type


bp.add_app_template_global(engine.decision_label, "decision_label")

from . import cards, routes  # noqa: E402,F401
