"""The approvals desk card and nav links."""

from flask_babel import lazy_gettext as _l

from ..models import User
from ..models.people import ROLES
from ..services import approvals as engine
from ..web.desk import card, nav

DECIDER_ROLES = ("supervisor", "manager", "director", "gm", "assistant", "finance")


@card("approvals", "approvals/card.html", DECIDER_ROLES, order=5)
def approvals_card(user: User) -> dict:
    items = engine.inbox(user)
    return {"count": len(items), "latest": items[:5]}


nav("approvals.inbox", _l("待我审批"), DECIDER_ROLES, order=20)
nav("approvals.mine", _l("我的申请"), ROLES, order=21)
nav("approvals.routes", _l("审批流程"), ("manager", "director"), order=85)
nav("approvals.stuck", _l("超时单据"), ("manager", "director"), order=86)
