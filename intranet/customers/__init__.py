"""Customer archive (/customers/): list, detail with interactions, create/edit, import, export."""

from flask import Blueprint

bp = Blueprint("customers", __name__, url_prefix="/customers")

from ..demo import SEED_HOOKS  # noqa: E402
from . import cards, routes  # noqa: E402,F401
from .demo import seed_complaint, seed_customers  # noqa: E402
from .demo_archive import seed_more_customers  # noqa: E402

for _hook in (seed_customers, seed_complaint, seed_more_customers):
    if _hook not in SEED_HOOKS:
        SEED_HOOKS.append(_hook)
