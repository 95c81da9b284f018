"""Targets and sales statistics (销售目标与统计, SPEC 2.11) at /targets/: the annual target and its breakdown,
the reps' sales plans, the figures (day, week, month, year to date) and the 销售状况一览表.

One blueprint for every role; what each person sees is decided per record by services/targets.py and
services/sales_figures.py (a rep: own line; a supervisor: the team; leaders: all).
"""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..services.sales_figures import VIEWERS
from ..services.targets import LEADERS
from ..web.desk import nav

bp = Blueprint("targets", __name__, url_prefix="/targets")

PLAN_ROLES = ("rep", "supervisor", *LEADERS)

nav("targets.overview", _l("销售状况一览表"), VIEWERS, order=44)
nav("targets.figures", _l("销售统计"), VIEWERS, order=45)
nav("targets.index", _l("销售目标"), LEADERS, order=46)
nav("targets.plans", _l("销售计划"), PLAN_ROLES, order=47)
nav("targets.forecasts", _l("区域销售预测"), ("supervisor", "manager", "director", "gm", "assistant"), order=48)

from . import demo, routes, routes_forecasts  # noqa: E402,F401
