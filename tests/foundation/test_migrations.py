"""Alembic migrations build the whole schema from nothing, on SQLite and PostgreSQL, with no drift.

The migrations run through the real `flask db …` command (as `make run` does), in a
subprocess: Alembic's env.py reconfigures logging, which must not leak into the test process.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import subprocess_env
from sqlalchemy import create_engine, inspect, text

from intranet.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def _flask(database_url: str, instance: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**subprocess_env(), "FLASK_APP": "intranet", "DATABASE_URL": database_url, "SECRET_KEY": "test-only-key",
           "INSTANCE_PATH": str(instance)}
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def _upgrade(database_url: str, instance: Path) -> None:
    result = _flask(database_url, instance, "db", "upgrade")
    assert result.returncode == 0, result.stderr


def _drift(database_url: str) -> list:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def _tables(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _describe(item) -> str:
    if isinstance(item, list):  # column modifications come as a list of tuples
        return "; ".join(repr(part[:4]) for part in item)
    kind, obj = item[0], item[1]
    table = getattr(getattr(obj, "table", None), "name", None)
    return f"{kind} {str(obj.name) if hasattr(obj, 'name') else repr(obj)}" + (f" on {table}" if table else "")


def _assert_no_drift(database_url: str) -> None:
    diff = _drift(database_url)
    assert diff == [], (
        "models and migrations differ — add a migration (flask db migrate -m '…'):\n  "
        + "\n  ".join(map(_describe, diff)))


def test_migrations_from_scratch_down_to_nothing_and_back_on_sqlite(tmp_path):
    # One test, so the migrations run twice here, not three times (SQLite rebuilds a table
    # for each altered column: a run takes a quarter of a minute).
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    _upgrade(url, tmp_path)
    assert {"user", "audit_entry", "email", "product", "setting", "alembic_version"} <= _tables(url)
    _assert_no_drift(url)
    down = _flask(url, tmp_path, "db", "downgrade", "base")
    assert down.returncode == 0, down.stderr
    assert _tables(url) == {"alembic_version"}
    _upgrade(url, tmp_path)
    seeded = _flask(url, tmp_path, "seed-demo", "--if-empty")
    assert seeded.returncode == 0 and "new rows" in seeded.stdout, seeded.stderr


@pytest.fixture
def empty_pg(pg_url):
    """This worker's PostgreSQL database with nothing in it (alembic_version included)."""
    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")

    def wipe():
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))

    wipe()
    yield pg_url
    wipe()
    engine.dispose()


@pytest.mark.postgres
def test_migrations_from_scratch_and_back_on_postgresql(empty_pg, tmp_path):
    assert _tables(empty_pg) == set()
    _upgrade(empty_pg, tmp_path)
    assert {"user", "audit_entry", "email", "product", "setting", "alembic_version"} <= _tables(empty_pg)
    _assert_no_drift(empty_pg)
    down = _flask(empty_pg, tmp_path, "db", "downgrade", "base")
    assert down.returncode == 0, down.stderr
    assert _tables(empty_pg) == {"alembic_version"}
    _upgrade(empty_pg, tmp_path)
    seeded = _flask(empty_pg, tmp_path, "seed-demo", "--if-empty")
    assert seeded.returncode == 0 and "new rows" in seeded.stdout, seeded.stderr
    again = _flask(empty_pg, tmp_path, "seed-demo")
    assert again.returncode == 0 and "already present" in again.stdout, again.stderr
