"""Role desks (工作台): one blueprint per role, composed of cards and nav links that
workflows register here. A card is a partial template plus a function giving its context;
it is written once and appears on every desk that lists it."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2_fragments.flask import render_block
from markupsafe import Markup

from .guards import role_required
from .rendering import render


@dataclass(frozen=True)
class Card:
    name: str
    template: str
    roles: tuple[str, ...]
    context: Callable  # (user) -> dict
    order: int = 50


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    label: object
    roles: tuple[str, ...]
    order: int = 50


CARDS: dict[str, Card] = {}
NAV: list[NavLink] = []

# The top menu's groups, in menu order. A link joins the group of its blueprint (or of its own
# endpoint, which wins); a new module adds one line to NAV_GROUP_OF. A group with one link for
# a role shows as that link; a link in no group stands alone after the groups.
NAV_GROUPS: dict[str, object] = {
    "approvals": _l("审批"),
    "customers": _l("客户与拜访"),
    "money": _l("费用与备用金"),
    "goods": _l("退货与样品"),
    "contracts": _l("报价与合同"),
    "reports": _l("日报与报表"),
    "attendance": _l("考勤"),
    "admin": _l("管理"),
}
NAV_GROUP_OF: dict[str, str] = {
    "approvals": "approvals",
    "approvals.routes": "admin",
    "approvals.stuck": "admin",
    "customers": "customers",
    "enquiries": "customers",
    "visits": "customers",
    "expenses": "money",
    "ledger": "money",
    "contracts": "contracts",
    "returns": "goods",
    "samples": "goods",
    "daily": "reports",
    "reports": "reports",
    "reports.outbox": "admin",
    "reports.schedule": "admin",
    "targets": "reports",
    "receivables.statistics": "reports",
    "receivables.commission": "reports",
    "attendance": "attendance",
    "org": "admin",
}


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: object
    links: tuple[NavLink, ...]


def card(name: str, template: str, roles, order: int = 50):
    """Decorator: register the decorated context function as a desk card."""

    def decorator(func):
        CARDS[name] = Card(name, template, tuple(roles), func, order)
        return func

    return decorator


def nav(endpoint: str, label, roles, order: int = 50) -> None:
    if not any(link.endpoint == endpoint for link in NAV):
        NAV.append(NavLink(endpoint, label, tuple(roles), order))


def cards_for(role: str) -> list[Card]:
    return sorted((c for c in CARDS.values() if role in c.roles), key=lambda c: (c.order, c.name))


def nav_for(role: str) -> list[NavLink]:
    return sorted((n for n in NAV if role in n.roles), key=lambda n: n.order)


def nav_group_of(endpoint: str) -> str | None:
    return NAV_GROUP_OF.get(endpoint) or NAV_GROUP_OF.get(endpoint.partition(".")[0])


def nav_groups_for(role: str) -> list[NavGroup]:
    """The role's menu: its links gathered into NAV_GROUPS order; ungrouped links last, alone."""
    links = nav_for(role)
    groups = [NavGroup(key, label, tuple(n for n in links if nav_group_of(n.endpoint) == key))
              for key, label in NAV_GROUPS.items()]
    alone = [NavGroup(n.endpoint, n.label, (n,)) for n in links if nav_group_of(n.endpoint) not in NAV_GROUPS]
    return [g for g in groups if g.links] + alone


def main_nav(role: str) -> Markup:
    """The top menu of every page. It depends only on the role, the language, the page (which link is
    current) and the app's URL root, so each worker renders it once per combination and keeps the HTML
    (per app; a few thousand entries at most): translating and routing its thirty links took several ms of
    every request. Nothing of the data goes in, so two workers can never show different menus."""
    key = (role, str(get_locale()), request.endpoint, request.script_root)
    cache = current_app.extensions.setdefault("main_nav", {})
    if key not in cache:
        cache[key] = Markup(render_template("desks/_mainnav.html", role=role, endpoint=request.endpoint))
    return cache[key]


def make_desk_blueprint(role: str) -> Blueprint:
    bp = Blueprint(role, __name__, url_prefix=f"/{role}")

    @bp.get("/")
    @role_required(role)
    def desk():
        # Each card is rendered from its own block, the same code path as its HTMX refresh.
        cards = [Markup(render_block(c.template, "card", card=c, **c.context(current_user)))
                 for c in cards_for(role)]
        return render("desks/desk.html", role=role, cards=cards)

    @bp.get("/card/<name>")
    @role_required(role)
    def card_partial(name):
        found = CARDS.get(name)
        if found is None or role not in found.roles:
            abort(404)
        return render(found.template, "card", card=found, **found.context(current_user))

    return bp
