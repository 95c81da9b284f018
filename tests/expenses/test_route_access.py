"""Walk every expenses/ledger endpoint as anonymous and as each demo role; compare with route_access.ACCESS."""

import importlib.util
from pathlib import Path

import pytest

from intranet.models.people import ROLES

_spec = importlib.util.spec_from_file_location("expenses_route_access", Path(__file__).with_name("route_access.py"))
route_access = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(route_access)

ROLE_USER = {"director": "director", "gm": "gm", "manager": "manager", "supervisor": "supervisor1",
             "assistant": "assistant", "finance": "finance", "rep": "rep1"}


def _mine(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith(("expenses.", "ledger."))]


def test_every_endpoint_is_declared(app):
    declared = set(route_access.ACCESS)
    registered = {f"{m} {r.endpoint}" for r in _mine(app) for m in r.methods - {"HEAD", "OPTIONS"}}
    assert registered == declared


@pytest.mark.parametrize("identity", [None, *ROLES], ids=lambda i: i or "anonymous")
def test_walk(app, users, login, identity):
    client = login(ROLE_USER[identity]) if identity else app.test_client()
    wrong = []
    for rule in _mine(app):
        url = rule.build({a: route_access.PARAMS[a](users) for a in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            table = route_access.ACCESS[f"{method} {rule.endpoint}"]
            expected = table.get(identity, table.get("*"))
            got = client.open(url, method=method).status_code
            if got != expected:
                wrong.append(f"{method} {rule.endpoint} {url}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)
