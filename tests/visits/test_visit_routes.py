import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.calendar(only=["1st-0800", "31-dec-2359", "spring-festival-2027"])
def test_visit_routes_answer_as_declared(app, users, login):
    walker = _load(HERE.parent / "customers" / "customer_walk.py", "customer_walk_for_visits")
    access, params = walker.load_access(HERE / "route_access.py")
    assert walker.walk(app, users, login, access, params) == []
