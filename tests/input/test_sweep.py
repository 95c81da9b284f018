"""Acceptance 1 and 2: hostile values into every form and query parameter of every route, as every
role, on SQLite and PostgreSQL — never a server error, nothing unescaped, nothing stored that an
export or the database cannot take; afterwards every export reopens and holds no formula."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import String, Text, inspect, select

from intranet.extensions import db
from intranet.models import User

from . import hostile
from .sweep import Sweep

IDENTITIES = [None, "rep", "supervisor", "manager", "director", "gm", "assistant", "finance"]
ROLE_USER = {"director": "director", "gm": "gm", "manager": "manager", "supervisor": "supervisor1",
             "assistant": "assistant", "finance": "finance", "rep": "rep1"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _client(app, identity):
    client = app.test_client()
    if identity:
        response = client.post("/login", data={"username": ROLE_USER[identity], "password": "demo123"})
        assert response.status_code == 303
    return client


def _check(failures: list, exports: list):
    def record(what, response):
        status = response.status_code
        if status >= 500:
            failures.append(f"{what}: {status}")
        elif response.mimetype == XLSX:
            exports.append(what)
            problem = _export_problem(response.get_data())
            if problem:
                failures.append(f"{what}: {problem}")
        elif response.mimetype.startswith("text/html") and hostile.MARKUP in response.get_data(as_text=True):
            body = response.get_data(as_text=True)
            at = body.index(hostile.MARKUP)
            failures.append(f"{what}: user markup shown unescaped: …{body[max(at - 200, 0):at + 40]!r}")

    return record


def _export_problem(data: bytes) -> str | None:
    try:
        wb = load_workbook(BytesIO(data))
    except Exception as exc:  # noqa: BLE001 — any failure to reopen is the finding
        return f"does not reopen: {exc!r}"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    return f"formula in {ws.title}!{cell.coordinate}: {cell.value!r}"
    return None


def _stored_problems() -> list[str]:
    """Nothing in the database that PostgreSQL or openpyxl refuses, nothing longer than its column."""
    problems = []
    for mapper in db.Model.registry.mappers:
        cls = mapper.class_
        columns = [c for c in inspect(cls).columns if isinstance(c.type, String | Text)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if not isinstance(value, str):
                    continue
                if hostile.ILLEGAL.search(value):
                    problems.append(f"{cls.__name__}.{column.key} holds a control character: {value[:60]!r}")
                length = getattr(column.type, "length", None)
                if length and len(value) > length:
                    problems.append(f"{cls.__name__}.{column.key} is longer than {length}")
    return problems


def _sweep(app, identity, database_only=False):
    db.session.rollback()
    users = {u.username: u for u in db.session.scalars(select(User))}
    failures, exports = [], []
    sweep = Sweep(app, _client(app, identity), identity, users, _check(failures, exports), database_only)
    sweep.run()
    print(f"{identity}: {sweep.count} requests, {len(sweep.forms)} forms, {len(exports)} exports")
    db.session.rollback()
    failures += _stored_problems()
    assert sweep.forms or identity is None, "the sweep found no forms: the crawler is broken"
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:60])
    return sweep, exports


@pytest.mark.parametrize("identity", IDENTITIES, ids=lambda i: i or "anonymous")
def test_sweep_sqlite(app, identity):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a server error is a 500 answer, recorded with its route
    _sweep(app, identity)


@pytest.mark.postgres
@pytest.mark.parametrize("identity", IDENTITIES, ids=lambda i: i or "anonymous")
def test_sweep_postgres(pg_app, identity):
    pg_app.config["PROPAGATE_EXCEPTIONS"] = False
    _sweep(pg_app, identity, database_only=True)
