"""Walk every registered route as anonymous and as each demo role; assert the declared status.

A route that is not declared fails the walk, so every workflow that adds a route must
say who may call it. How to extend:

* Each feature declares its routes in ``tests/<feature>/route_access.py`` with two dicts,
  ``ACCESS`` and ``PARAMS`` (see tests/customers/route_access.py); this walk merges every
  such file. The foundation's own routes are in FOUNDATION_ACCESS below.
* ACCESS key: "<METHOD> <endpoint>" — one entry per method the rule accepts (HEAD/OPTIONS
  excluded). A GET+POST form view needs both "GET x.form" and "POST x.form". When one endpoint
  has several rules that answer differently, "<METHOD> <endpoint> <rule>" declares one rule.
* ACCESS value: {role code: status, "*": status for every other role, None: anonymous status}.
  ``only("manager", "assistant")`` is 200 for those roles, 403 for the others and 302 (to the
  login page) for anonymous. Roles are played by director, gm, manager, supervisor1,
  assistant, finance and rep1.
* PARAMS: URL argument name → function(users) → value, e.g. "customer_id": the id of a
  customer the seed gives rep1. Every <argument> of every rule needs one.
* POSTs are sent with a valid CSRF token and an empty body: the status is what an empty
  form gets (200 with errors re-rendered, 303 after a no-op, 404 for an unknown token …).
"""

import importlib.util
from pathlib import Path

import pytest
from flask import url_for
from werkzeug.exceptions import MethodNotAllowed

from intranet.models.people import ROLES

ANON = None
# The demo account that plays each role in the walk.
ROLE_USER = {"director": "director", "gm": "gm", "manager": "manager", "supervisor": "supervisor1",
             "assistant": "assistant", "finance": "finance", "rep": "rep1"}
IDENTITIES = [ANON, *ROLES]


def only(*roles: str, ok: int = 200, other: int = 403, anon: int = 302) -> dict:
    """`roles` get `ok`, every other role `other`, anonymous `anon` (302 = sent to the login page)."""
    return {**{role: ok for role in roles}, "*": other, ANON: anon}


def everyone(status: int = 200, anon: int = 302) -> dict:
    return {"*": status, ANON: anon}


AUDIT_READERS = ("manager", "director", "gm", "assistant")
CATALOG_READERS = ("manager", "assistant", "supervisor", "director", "gm", "rep")

FOUNDATION_ACCESS: dict[str, dict] = {
    # ---- auth --------------------------------------------------------------
    "GET auth.index": everyone(302, anon=302),  # → own desk, or → login
    "GET auth.login": everyone(302, anon=200),  # a signed-in user is sent to the desk
    "POST auth.login": everyone(302, anon=200),  # empty form: errors re-rendered
    "POST auth.logout": everyone(303),  # ends every session: walked last
    "GET auth.change_password": everyone(200),
    "POST auth.change_password": everyone(200),  # empty form: errors re-rendered
    "POST auth.set_language": everyone(303, anon=303),  # invalid choice: no change, back
    "GET favicon": everyone(200, anon=200),
    # ---- desks (one blueprint per role) -------------------------------------
    **{f"GET {role}.desk": only(role) for role in ROLES},
    **{f"GET {role}.card_partial": only(role) for role in ROLES},
    # ---- org: people, products, settings, audit -----------------------------
    "GET org.users": only("manager"),
    "GET org.user_new": only("manager"),
    "POST org.user_new": only("manager"),
    "GET org.user_edit": only("manager"),
    "POST org.user_edit": only("manager"),
    "POST org.user_active": only("manager", ok=303),
    "POST org.user_password": only("manager", ok=303),
    "GET org.units": only("manager"),
    "POST org.team_new": only("manager"),  # empty form: errors re-rendered
    "GET org.team_edit": only("manager"),
    "POST org.team_edit": only("manager"),
    "POST org.region_new": only("manager"),
    "GET org.region_edit": only("manager"),
    "POST org.region_edit": only("manager"),
    "GET org.products": only(*CATALOG_READERS),
    "GET org.product_edit": only("manager", "assistant"),
    "POST org.product_edit /org/products/new": only("manager", "assistant"),  # empty: errors
    # An empty POST on an existing product keeps the stored values (Flask-WTF falls back to obj).
    "POST org.product_edit /org/products/<int:product_id>": only("manager", "assistant", ok=303),
    "GET org.settings": only("manager", "assistant"),
    "POST org.settings": only("manager", "assistant"),  # empty values: errors re-rendered
    "GET org.audit_log": only(*AUDIT_READERS),
    "POST org.audit_verify": only(*AUDIT_READERS),
    # ---- my to-do list (the sample item is rep1's: everybody else gets 404) ---
    "GET todos.index": everyone(200),
    "POST todos.mark_done": {"rep": 303, "*": 404, ANON: 302},
    # ---- health: 503 "degraded" here because no worker heartbeat exists in the test Redis
    "GET health.healthz": everyone(503, anon=503),
}

# Requests that end the walker's own session go last.
SESSION_ENDING = {"POST auth.logout"}

FOUNDATION_PARAMS = {
    "user_id": lambda users: users["rep2"].id,
    "product_id": lambda users: _first_product_id(),
    "name": lambda users: "todos",
    "todo_id": lambda users: _rep1_todo_id(users),
    "team_id": lambda users: users["rep1"].team_id,
    "region_id": lambda users: users["rep1"].region_id,
}


def _rep1_todo_id(users) -> int:
    from intranet.extensions import db
    from intranet.services import notify

    item = notify.todo("walk:sample", users["rep1"], "回访杭州清源") or db.session.scalar(
        db.select(notify.Todo).where(notify.Todo.key == "walk:sample"))
    db.session.commit()
    return item.id


def _feature_tables() -> tuple[dict, dict]:
    """Merge FOUNDATION_* with every tests/<feature>/route_access.py (ACCESS, PARAMS)."""
    access, params = dict(FOUNDATION_ACCESS), dict(FOUNDATION_PARAMS)
    for path in sorted(Path(__file__).resolve().parents[1].glob("*/route_access.py")):
        spec = importlib.util.spec_from_file_location(f"route_access_{path.parent.name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        clash = (access.keys() - FOUNDATION_ACCESS.keys()) & module.ACCESS.keys()
        assert not clash, f"{path}: routes declared twice: {sorted(clash)}"
        access.update(module.ACCESS)  # a feature's own file wins over a stop-gap entry below
        for name, fn in getattr(module, "PARAMS", {}).items():
            assert params.get(name, fn) is fn, f"{path}: URL argument <{name}> already has a sample value"
            params[name] = fn
    return access, params


ENDPOINT_ACCESS, SAMPLE_ARGS = _feature_tables()
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _first_product_id() -> int:
    from intranet.extensions import db
    from intranet.models import Product

    return db.session.scalar(db.select(Product.id).order_by(Product.id))


def _walkable_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def _declared_keys(rule) -> list[str]:
    """The table key for each method of this rule: the rule-specific key if declared."""
    keys = []
    for method in METHODS:
        if method in rule.methods:
            specific = f"{method} {rule.endpoint} {rule.rule}"
            keys.append(specific if specific in ENDPOINT_ACCESS else f"{method} {rule.endpoint}")
    return keys


def _expected(key: str, identity) -> int:
    table = ENDPOINT_ACCESS[key]
    if identity in table:
        return table[identity]
    assert identity is not None, f"{key}: declare the anonymous status (key None)"
    return table["*"]


def _url(rule, users) -> str:
    values = {}
    for arg in rule.arguments:
        if rule.defaults and arg in rule.defaults:
            continue
        assert arg in SAMPLE_ARGS, f"{rule.rule}: add a sample value for <{arg}> to SAMPLE_ARGS"
        values[arg] = SAMPLE_ARGS[arg](users)
    # Build this exact rule (an endpoint may have several, e.g. /products/new and /products/<id>).
    return rule.build(values, append_unknown=False)[1]


def _requests(app, users):
    plan = []
    for rule in _walkable_rules(app):
        url = _url(rule, users)
        for key in _declared_keys(rule):
            plan.append((key, key.split(" ", 1)[0], url))
    return sorted(plan, key=lambda item: item[0] in SESSION_ENDING)


def _undeclared(app) -> tuple[list[str], list[str]]:
    registered = {key for rule in _walkable_rules(app) for key in _declared_keys(rule)}
    return sorted(registered - ENDPOINT_ACCESS.keys()), sorted(ENDPOINT_ACCESS.keys() - registered)


def _bare_app():
    """The registered routes need no database: this check runs even when seeding is broken."""
    from intranet import create_app
    from intranet.config import TestConfig

    return create_app(TestConfig)


def test_every_route_is_declared():
    """A new route fails here until it is declared (FOUNDATION_ACCESS or a feature's route_access.py)."""
    missing, stale = _undeclared(_bare_app())
    assert not missing, f"routes with no declared access in ENDPOINT_ACCESS: {missing}"
    assert not stale, f"ENDPOINT_ACCESS declares routes that no longer exist: {stale}"


def test_a_new_route_is_reported():
    app = _bare_app()
    assert "GET rep_new_thing" not in _undeclared(app)[0]
    app.add_url_rule("/rep/new-thing", "rep_new_thing", lambda: "x", methods=["GET", "POST"])
    assert {"GET rep_new_thing", "POST rep_new_thing"} <= set(_undeclared(app)[0])


@pytest.mark.calendar(only=["1st-0800", "1-jan-0001", "spring-festival-2027"])
@pytest.mark.parametrize("identity", IDENTITIES, ids=lambda i: i or "anonymous")
def test_walk_routes(app, users, login, identity):
    client = login(ROLE_USER[identity]) if identity else app.test_client()
    wrong = []
    for key, method, url in _requests(app, users):
        if key not in ENDPOINT_ACCESS:
            continue  # reported by test_every_route_is_declared
        response = client.open(url, method=method)
        expected = _expected(key, identity)
        if response.status_code != expected:
            wrong.append(f"{key} {url}: expected {expected}, got {response.status_code}")
        elif identity is None and expected == 302:
            with app.test_request_context():
                login_url = url_for("auth.login")
            if not response.location.startswith(login_url):
                wrong.append(f"{key} {url}: anonymous redirect should go to the login page, not {response.location}")
    assert not wrong, "\n".join(wrong)


def test_post_only_routes_refuse_get(app, users, login):
    """A state-changing route is never reachable by GET (no state-changing GETs)."""
    client = login("manager")
    adapter = app.url_map.bind("localhost")
    for rule in _walkable_rules(app):
        if "GET" in rule.methods:
            continue
        url = _url(rule, users)
        try:
            adapter.match(url, method="GET")
            continue  # the same path has a separate GET view (e.g. a list and its add form)
        except MethodNotAllowed:
            pass
        assert client.get(url).status_code == 405, rule.rule
