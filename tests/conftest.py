"""Shared fixtures. Real services only: SQLite files, PostgreSQL, Redis, SMTP (aiosmtpd), Chromium.

Each xdist worker gets its own Redis database number and its own PostgreSQL database,
so tests run two at a time without seeing each other's rows or keys.

The clock: every test runs with the clock moved by time-machine to DEFAULT_INSTANT (ticking from
there), so nothing depends on the day the suite runs. Tests marked ``calendar`` run once at each
instant of CALENDAR_SWEEP (month starts and ends, year end, 29 February, Shanghai midnight, the
Spring Festival holiday). Browser tests keep the real clock: Chromium judges cookie expiry by its
own clock, which time-machine cannot move; they rely only on the demo, which is built for any day.
Processes a test starts (workers, redis-server) get an environment without libfaketime's
variables (see ``subprocess_env``), and Python ones get the test's clock through tests/clocked.py.
Under libfaketime a test never uses a timed threading wait as a sleep (``Event().wait(t)``, a lock or
condition acquire that times out): libfaketime shifts the monotonic clock but does not wrap
sem_clockwait, so such a wait lasts the fake offset, weeks (libfaketime #390). ``time.sleep`` is
fine, and so are waits that are signalled (a barrier filling, a thread joining, an event set).
"""

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from flask import g, has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from jinja2.bccache import Bucket, BytecodeCache
from redis import Redis
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from intranet import create_app
from intranet.clock import SHANGHAI, now_utc
from intranet.config import TestConfig
from intranet.demo import seed
from intranet.extensions import db

ROOT = Path(__file__).resolve().parent.parent

# A Wednesday in the middle of an ordinary month, 10:00 in Shanghai.
DEFAULT_INSTANT = datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)
# The instants the date-sensitive tests (marked `calendar`) run at, Asia/Shanghai unless noted.
CALENDAR_SWEEP = {
    "1st-0800": datetime(2027, 3, 1, 8, 0, tzinfo=SHANGHAI),
    "2nd-2359": datetime(2027, 3, 2, 23, 59, tzinfo=SHANGHAI),
    "30-day-month-end-2330": datetime(2027, 4, 30, 23, 30, tzinfo=SHANGHAI),
    "31-day-month-end-2330": datetime(2027, 5, 31, 23, 30, tzinfo=SHANGHAI),
    "31-dec-2359": datetime(2027, 12, 31, 23, 59, tzinfo=SHANGHAI),
    "1-jan-0001": datetime(2028, 1, 1, 0, 1, tzinfo=SHANGHAI),
    "28-feb-2028": datetime(2028, 2, 28, 16, 0, tzinfo=SHANGHAI),
    "29-feb-2028": datetime(2028, 2, 29, 16, 0, tzinfo=SHANGHAI),
    "utc-1600-month-end": datetime(2027, 6, 30, 16, 0, tzinfo=UTC),  # 1 July 00:00 in Shanghai
    "spring-festival-2027": datetime(2027, 2, 9, 10, 0, tzinfo=SHANGHAI),  # 正月初三
    "spring-festival-2026": datetime(2026, 2, 18, 10, 0, tzinfo=SHANGHAI),  # inside the published 2026 holiday
}
FAKETIME_VARIABLES = ("LD_PRELOAD", "FAKETIME", "FAKETIME_SHARED", "FAKETIME_DONT_FAKE_MONOTONIC",
                      "FAKETIME_NO_CACHE", "DONT_FAKE_MONOTONIC")


def pytest_generate_tests(metafunc):
    """`@pytest.mark.calendar` → every instant of the sweep; `calendar(only=[...])` → those named."""
    marker = metafunc.definition.get_closest_marker("calendar")
    if marker and "clock_instant" in metafunc.fixturenames:
        names = marker.kwargs.get("only") or list(CALENDAR_SWEEP)
        metafunc.parametrize("clock_instant", [CALENDAR_SWEEP[n] for n in names], ids=names, indirect=True)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (--dist loadgroup)
def pytest_collection_modifyitems(items):
    """The tests of one sweep instant run in one process: each process seeds the demo once per instant
    it meets (a template, see _templates), so spreading an instant over both costs a second seed."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "clock_instant" in callspec.params:
            item.add_marker(pytest.mark.xdist_group(f"instant-{_instant_name(callspec)}"))


def _instant_name(callspec) -> str:
    instant = callspec.params["clock_instant"]
    return next((name for name, at in CALENDAR_SWEEP.items() if at == instant), "default")


@pytest.fixture
def clock_instant(request):
    """Where this test's clock starts (DEFAULT_INSTANT, or one instant of the calendar sweep)."""
    return getattr(request, "param", DEFAULT_INSTANT)


@pytest.fixture(autouse=True)
def frozen_clock(request, clock_instant):
    """Move the clock to the test's instant; it ticks from there so timeouts and sleeps still work."""
    if request.node.get_closest_marker("browser"):
        yield None
        return
    with time_machine.travel(clock_instant, tick=True) as traveller:
        yield traveller


def subprocess_env(**extra) -> dict:
    """os.environ without libfaketime (redis-server and worker processes break or drift under it)."""
    env = {k: v for k, v in os.environ.items() if k not in FAKETIME_VARIABLES}
    return {**env, **extra}


def clocked(*argv: str) -> list[str]:
    """A Python command run with this test's clock (time-machine in the child, see tests/clocked.py)."""
    return [sys.executable, str(ROOT / "tests" / "clocked.py"), now_utc().isoformat(), *argv]

OUTPUT = ROOT / "test-output"
PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql+psycopg://127.0.0.1:5432/test")


def _worker_index(config) -> int:
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name.removeprefix("gw") or 0)


@pytest.fixture(scope="session")
def worker_index(pytestconfig) -> int:
    return _worker_index(pytestconfig)


@pytest.fixture(scope="session")
def redis_url(worker_index) -> str:
    # TEST_REDIS=redis://127.0.0.1:6390 points a run at another server: two test runs sharing
    # one Redis flush each other's databases and run each other's queued jobs.
    base = os.environ.get("TEST_REDIS", "redis://127.0.0.1:6379").rstrip("/")
    return f"{base}/{1 + worker_index}"


@pytest.fixture(autouse=True)
def _clean_redis(redis_url):
    """Every test starts with an empty Redis database (queues, rate-limit counters)."""
    Redis.from_url(redis_url).flushdb()
    yield


class CSRFClient(FlaskClient):
    """A test client that sends the CSRF token like the layout does (X-CSRFToken header)."""

    csrf = True

    def open(self, *args, **kwargs):
        _fresh_request_globals()
        method = (kwargs.get("method") or "GET").upper()
        if self.csrf and method not in {"GET", "HEAD", "OPTIONS"}:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self._token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def _token(self) -> str:
        """Sign the raw token kept in this client's session, exactly as Flask-WTF does."""
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
        signer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return signer.dumps(raw)


def _fresh_request_globals() -> None:
    """Start every test request with an empty `g`, as in production.

    The `app` fixture keeps one app context pushed for the whole test and Flask reuses it for
    each test-client request, so `g` would otherwise carry over between requests — above all
    Flask-Login's cached user (g._login_user): a second client would act as the first one's user.
    """
    if has_app_context():
        g.__dict__.clear()


class MemoryBytecodeCache(BytecodeCache):
    """Jinja's compiled templates kept in this test process (Jinja ships file and memcached caches)."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def _make_app(database_url: str, redis_url: str, tmp_path: Path, **overrides):
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        REDIS_URL=redis_url,
        RATELIMIT_STORAGE_URI=redis_url,
        INSTANCE_DIR=tmp_path,
        **overrides,
    )
    app.test_client_class = CSRFClient
    # Every test builds its own app, and Jinja compiles each template anew for each app; compiled
    # templates are kept for the process instead (keyed by the source's checksum, so an edit recompiles).
    app.jinja_env.bytecode_cache = _JINJA_BYTECODE
    return app


_JINJA_BYTECODE = MemoryBytecodeCache()


@pytest.fixture(scope="session")
def _templates(tmp_path_factory, redis_url) -> dict:
    """Schema + demo data built once per test process and clock instant; tests copy the files."""
    built: dict[str, Path] = {}

    def _for(key: str) -> Path:
        if key not in built:
            folder = tmp_path_factory.mktemp("template")
            app = _make_app(f"sqlite:///{folder / 'test.db'}", redis_url, folder)
            with app.app_context():
                db.create_all()
                seed()
                db.session.commit()
                db.session.remove()
                db.engine.dispose()
            built[key] = folder
        return built[key]

    return _for


@pytest.fixture
def _template_instance(_templates, frozen_clock, clock_instant) -> Path:
    """The demo as seeded on this test's day (the real day for browser tests)."""
    key = clock_instant.isoformat() if frozen_clock is not None else f"real-{now_utc():%Y-%m-%d}"
    return _templates(key)


@pytest.fixture
def app(tmp_path, redis_url, _template_instance):
    """A fresh SQLite file database with the demo org (file, so a worker process can share it)."""
    shutil.copytree(_template_instance, tmp_path, dirs_exist_ok=True)
    database_url = f"sqlite:///{tmp_path / 'test.db'}"
    app = _make_app(database_url, redis_url, tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def users(app):
    from intranet.models import User

    return {u.username: u for u in db.session.scalars(db.select(User))}


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(app):
    """login("rep1") → a test client with that user's session."""

    def _login(username: str, password: str = "demo123"):
        c = app.test_client()
        response = c.post("/login", data={"username": username, "password": password})
        assert response.status_code == 303, f"login failed for {username}"
        return c

    return _login


@pytest.fixture
def make_user(app):
    """make_user(role="rep", reports_to=user, team=team) → a saved user with password demo12345."""
    from intranet.models import User

    counter = {"n": 0}

    def _make(role="rep", **fields):
        counter["n"] += 1
        name = fields.pop("username", f"{role}_x{counter['n']}")
        user = User(username=name, name=fields.pop("name", name), email=f"{name}@test.local", role=role, **fields)
        user.set_password("demo12345")
        db.session.add(user)
        db.session.commit()
        return user

    return _make


# ---- PostgreSQL -----------------------------------------------------------

def _pg_admin():
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _pg_database_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def pg_name(worker_index) -> str:
    # TEST_PG_PREFIX keeps two checkouts' runs on one server apart (each drops its own databases).
    return f"{os.environ.get('TEST_PG_PREFIX', 'intranet_test')}_{worker_index}"


@pytest.fixture(scope="session")
def pg_url(pg_name) -> str:
    """A private PostgreSQL database for this xdist worker, created empty."""
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
    admin.dispose()
    return _pg_database_url(pg_name)


@pytest.fixture(scope="session")
def _pg_templates(pg_name, redis_url, tmp_path_factory):
    """Schema + demo on PostgreSQL, built once per test process and clock instant into a template
    database; each test gets a copy (CREATE DATABASE … TEMPLATE), about ten times faster than
    dropping, creating and seeding ninety-odd tables for every test."""
    built: dict[str, str] = {}
    admin = _pg_admin()

    def _for(key: str) -> str:
        if key not in built:
            name = f"{pg_name}_t{len(built)}"
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            folder = tmp_path_factory.mktemp("pg-template")
            app = _make_app(_pg_database_url(name), redis_url, folder)
            with app.app_context():
                db.create_all()
                seed()
                db.session.commit()
                db.session.remove()
                db.engine.dispose()  # a template database may have no connections when it is copied
            built[key] = name
        return built[key]

    yield _for
    with admin.connect() as conn:
        for name in built.values():
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_app(pg_url, pg_name, _pg_templates, redis_url, tmp_path, frozen_clock, clock_instant):
    """The app on PostgreSQL with the demo org: this worker's database, copied from the template."""
    template = _pg_templates(clock_instant.isoformat())
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{pg_name}" TEMPLATE "{template}"'))
    admin.dispose()
    app = _make_app(pg_url, redis_url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 25, "max_overflow": 10})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


# ---- SMTP, worker, live server, browser ------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPSink:
    def __init__(self):
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Message

        self.messages = []
        sink = self

        class Collect(Message):
            def handle_message(self, message):
                sink.messages.append(message)

        self.port = free_port()
        self.controller = Controller(Collect(), hostname="127.0.0.1", port=self.port)

    def wait_for(self, count: int, timeout: float = 15) -> list:
        deadline = time.time() + timeout
        while len(self.messages) < count and time.time() < deadline:
            time.sleep(0.1)
        return self.messages


@pytest.fixture
def smtp_sink(app):
    sink = SMTPSink()
    sink.controller.start()
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=sink.port)
    yield sink
    sink.controller.stop()


@pytest.fixture
def run_worker(app, tmp_path):
    """run_worker() → a real `python worker.py burst` process drains the queue against this app's DB."""

    def _run(redis_url: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
        env = subprocess_env(**{
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": redis_url or app.config["REDIS_URL"],
            "RQ_QUEUE": app.config["RQ_QUEUE"],
            "MAIL_HOST": app.config["MAIL_HOST"],
            "MAIL_PORT": str(app.config["MAIL_PORT"]),
            "SECRET_KEY": "test-only-key",
            "INSTANCE_PATH": str(tmp_path),
        })
        return subprocess.run(clocked(str(ROOT / "worker.py"), "burst"), env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout)

    return _run


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free port (threaded), for Playwright."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (own cookies) pointed at the live server."""
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def as_user(browser, live_server):
    """as_user("rep1", viewport=PHONE) → a page of its own browser context, logged in; a workflow
    test opens one per person, and every context is closed after the test. Confirmation dialogs
    (data-confirm) are accepted, as the person clicking 确定 would."""
    contexts = []

    def open_as(username: str, viewport: dict | None = None):
        context = browser.new_context(base_url=live_server, locale="zh-CN", viewport=viewport or DESKTOP)
        contexts.append(context)
        pg = context.new_page()
        pg.on("dialog", lambda dialog: dialog.accept())
        browser_login(pg, username)
        return pg

    yield open_as
    for context in contexts:
        context.close()


def browser_login(page, username: str, password: str = "demo123") -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, f"browser login failed for {username}"


def screenshot(page, name: str) -> Path:
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
