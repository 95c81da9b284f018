"""Walk every returns endpoint as anonymous and as each role; the status must be what route_access says."""

import pytest

from intranet.models.people import ROLES

from .route_access import ACCESS, PARAMS

ROLE_USER = {"director": "director", "gm": "gm", "manager": "manager", "supervisor": "supervisor1",
             "assistant": "assistant", "finance": "finance", "rep": "rep1"}


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("returns.")]


def test_every_returns_route_is_declared(app):
    declared = {f"{m} {r.endpoint}" for r in _rules(app) for m in r.methods if m in ("GET", "POST")}
    assert declared == set(ACCESS)


@pytest.mark.parametrize("identity", [None, *ROLES], ids=lambda i: i or "anonymous")
def test_walk(app, users, login, identity):
    client = login(ROLE_USER[identity]) if identity else app.test_client()
    wrong = []
    for rule in _rules(app):
        url = rule.build({a: PARAMS[a](users) for a in rule.arguments}, append_unknown=False)[1]
        for method in ("GET", "POST"):
            if method not in rule.methods:
                continue
            table = ACCESS[f"{method} {rule.endpoint}"]
            expected = table.get(identity, table["*"])
            got = client.open(url, method=method).status_code
            if got != expected:
                wrong.append(f"{method} {rule.endpoint} {url}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)
