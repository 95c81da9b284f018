"""A small walker for one feature's route_access.py (the lead's full walk covers every route)."""

import importlib.util
from pathlib import Path

from flask import url_for

ROLE_USER = {"director": "director", "gm": "gm", "manager": "manager", "supervisor": "supervisor1",
             "assistant": "assistant", "finance": "finance", "rep": "rep1"}


def walk(app, users, login, access: dict, params: dict) -> list[str]:
    rules = {}
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            rules[f"{method} {rule.endpoint}"] = rule
    values = {name: fn(users) for name, fn in params.items()}
    failures = []
    clients = {role: login(username) for role, username in ROLE_USER.items()}
    clients[None] = app.test_client()
    for key, expected in access.items():
        method, endpoint = key.split(" ")
        rule = rules[key]
        with app.test_request_context():
            url = url_for(endpoint, **{arg: values[arg] for arg in rule.arguments})
        for role, client in clients.items():
            want = expected.get(role, expected.get("*"))
            got = client.open(url, method=method).status_code
            if got != want:
                failures.append(f"{key} as {role}: {got} != {want}")
    return failures


def load_access(path: Path):
    """route_access.py files share a name across features, so load each one by path."""
    spec = importlib.util.spec_from_file_location(f"route_access_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ACCESS, module.PARAMS
