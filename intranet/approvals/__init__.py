"""The approval inbox, my submissions, routes and delegations (/approvals/), one blueprint for all roles.

Document pages of every workflow include templates/approvals/_decision_form.html and
_history.html with `req` (an ApprovalRequest) in their context; the template globals
below are what those partials call.
"""

from decimal import Decimal

from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user

from ..services import approvals as engine
from ..web.formatting import money

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


@bp.app_template_global()
def step_threshold(doc_type: str, amount) -> str:
    """A step's 金额起点 as its route counts it: "金额超过 ¥2,000.00", or "超过 3 天" on the leave route."""
    adapter = engine.ADAPTERS.get(doc_type)
    if adapter is not None and adapter.threshold_unit == "days":
        return _("超过 %(days)s 天", days=f"{Decimal(str(amount)).normalize():f}")
    return _("金额超过 %(amount)s", amount=money(amount))


bp.add_app_template_global(engine.decision_label, "decision_label")

from . import cards, routes  # noqa: E402,F401
