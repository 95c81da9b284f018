from pathlib import Path

from customer_walk import load_access, walk


def test_customer_routes_answer_as_declared(app, users, login):
    access, params = load_access(Path(__file__).with_name("route_access.py"))
    assert walk(app, users, login, access, params) == []
