"""Visit plans and reports (/visits/): plan editor, approval, print, reports, plan vs actual."""

from flask import Blueprint

bp = Blueprint("visits", __name__, url_prefix="/visits")

from ..demo import SEED_HOOKS  # noqa: E402
from . import cards, routes  # noqa: E402,F401
from .demo import seed_visits  # noqa: E402

if seed_visits not in SEED_HOOKS:
    SEED_HOOKS.append(seed_visits)
