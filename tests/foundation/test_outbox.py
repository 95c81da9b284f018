"""The outbox: an email row committed with the request, delivered by a real RQ worker over SMTP,
exactly once — and the web keeps working while Redis is down."""

import re
import socket
import subprocess
import time
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from conftest import clocked, subprocess_env
from flask import request
from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry

from intranet import create_app
from intranet.config import TestConfig
from intranet.extensions import db
from intranet.jobs.mail import enqueue_email, sweep_outbox
from intranet.models import Email, Setting
from intranet.services import notify
from intranet.services.settings import DEFINITIONS
from intranet.web.guards import role_required
from intranet.web.transaction import commit

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_FORM = {d.key: d.default for d in DEFINITIONS}


def _queue_email_view():
    """What a workflow view does: write the outbox row, commit once (which enqueues after commit)."""
    notify.email(f"test:{request.form['key']}", "rep1@demo.local", "审批提醒", "您有一张待审批的单据。")
    commit()
    return "queued"


def _add_email_route(app) -> None:
    # The foundation has no user-facing route that emails yet; workflows add them. This stands in.
    app.add_url_rule("/_test/email", "test_email", role_required("manager")(_queue_email_view), methods=["POST"])


def _email(key: str) -> Email:
    db.session.expire_all()
    return db.session.scalar(db.select(Email).filter_by(key=f"test:{key}"))


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


@pytest.fixture
def manager(app, login):
    _add_email_route(app)
    return login("manager")


def test_email_from_a_request_is_delivered_once(app, manager, smtp_sink, run_worker):
    assert manager.post("/_test/email", data={"key": "a"}).status_code == 200
    row = _email("a")
    assert row.status == "pending"  # committed before the worker ran
    result = run_worker()
    assert result.returncode == 0, result.stderr
    messages = smtp_sink.wait_for(1)
    assert len(messages) == 1
    assert messages[0]["To"] == "rep1@demo.local" and _subject(messages[0]) == "审批提醒"
    assert re.fullmatch(rf"<outbox-{row.id}\.[0-9a-f]{{16}}@intranet>", messages[0]["Message-ID"])
    row = _email("a")
    assert (row.status, row.attempts) == ("sent", 1) and row.sent_at is not None
    # The job enqueued again (a retry, a sweep, a duplicate) does not send a second copy.
    with app.test_request_context():
        assert enqueue_email(row.id)
    assert run_worker().returncode == 0
    time.sleep(0.5)
    assert len(smtp_sink.messages) == 1
    assert _email("a").attempts == 1


def test_same_email_enqueued_twice_is_sent_once(app, manager, smtp_sink, run_worker):
    assert manager.post("/_test/email", data={"key": "b"}).status_code == 200
    row = _email("b")
    with app.test_request_context():
        assert enqueue_email(row.id)  # a second job for the same row, already queued once
    assert len(Queue(app.config["RQ_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"]))) == 2
    assert run_worker().returncode == 0
    assert len(smtp_sink.wait_for(1)) == 1
    time.sleep(0.5)
    assert len(smtp_sink.messages) == 1
    assert _email("b").status == "sent"


def test_same_occasion_gives_one_row(app, manager):
    assert manager.post("/_test/email", data={"key": "c"}).status_code == 200
    assert manager.post("/_test/email", data={"key": "c"}).status_code == 200
    assert db.session.scalar(db.select(db.func.count(Email.id)).filter_by(key="test:c")) == 1


def test_smtp_failure_goes_back_to_pending_and_retries(app, manager, smtp_sink, run_worker):
    working_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = _closed_port()
    assert manager.post("/_test/email", data={"key": "d"}).status_code == 200
    before_attempt = datetime.now(UTC)
    assert run_worker().returncode == 0
    row = _email("d")
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error  # the SMTP error is kept for the outbox page
    redis = Redis.from_url(app.config["REDIS_URL"])
    retries = ScheduledJobRegistry(queue=Queue(app.config["RQ_QUEUE"], connection=redis))
    retry_ids = retries.get_job_ids()
    assert len(retry_ids) == 1  # RQ's Retry scheduled the next attempt (with backoff)
    # The first retry waits 10 s after the failed attempt, which came after `before_attempt` (RQ keeps
    # whole seconds). Not compared with "now": a slow worker may exit more than 10 s after its attempt.
    assert retries.get_scheduled_time(retry_ids[0]) >= before_attempt + timedelta(seconds=9)
    assert smtp_sink.messages == []

    # SMTP is back; the sweep picks the pending row up (it is older than 30 s by now, here backdated).
    app.config["MAIL_PORT"] = working_port
    _backdate(row.id)
    assert sweep_outbox() == 1
    assert run_worker().returncode == 0
    assert len(smtp_sink.wait_for(1)) == 1
    assert (_email("d").status, _email("d").attempts) == ("sent", 2)
    # The scheduled retry still runs later: it finds the row sent and does nothing.
    retries.requeue(retry_ids[0])
    assert run_worker().returncode == 0
    time.sleep(0.5)
    assert len(smtp_sink.messages) == 1


def test_sweep_leaves_fresh_and_sent_rows_alone(app, manager):
    assert manager.post("/_test/email", data={"key": "e"}).status_code == 200
    redis = Redis.from_url(app.config["REDIS_URL"])
    redis.flushdb()  # forget the job the request enqueued; only the sweep may add one now
    assert sweep_outbox() == 0  # younger than 30 s: the request's own job is still expected to run
    _backdate(_email("e").id)
    assert sweep_outbox() == 1
    db.session.execute(db.update(Email).where(Email.id == _email("e").id).values(status="sent"))
    db.session.commit()
    assert sweep_outbox() == 0


# ---- Redis down ---------------------------------------------------------------------

class PrivateRedis:
    """A throw-away redis-server on its own port that the test can stop and start again."""

    def __init__(self):
        self.port = _closed_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return
            except OSError:
                time.sleep(0.05)
            except Exception:  # redis' ConnectionError while it boots
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


def _worker_env(app, redis_url: str, instance: Path) -> dict:
    return subprocess_env(**{"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": redis_url,
            "RQ_QUEUE": app.config["RQ_QUEUE"], "MAIL_HOST": app.config["MAIL_HOST"],
            "MAIL_PORT": str(app.config["MAIL_PORT"]), "SECRET_KEY": "test-only-key", "INSTANCE_PATH": str(instance)})


def test_redis_down_degrades_only_queueing_and_throttling(app, smtp_sink, run_worker, private_redis, tmp_path):
    # The web app under test talks to the private Redis (queue and rate limits), same database.
    web = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                     REDIS_URL=private_redis.url, RATELIMIT_STORAGE_URI=private_redis.url, INSTANCE_DIR=tmp_path)
    web.test_client_class = app.test_client_class
    _add_email_route(web)
    private_redis.stop()

    client = web.test_client()
    started = time.monotonic()
    assert client.post("/login", data={"username": "manager", "password": "demo123"}).status_code == 303
    assert client.get("/manager/").status_code == 200
    assert client.get("/org/products").status_code == 200
    assert client.post("/org/settings", data=SETTINGS_FORM | {"work_start": "08:45"}).status_code == 303
    assert client.post("/_test/email", data={"key": "down"}).status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["redis"] is False and health.json["database"] is True
    assert time.monotonic() - started < 10  # no request hangs on the dead Redis
    db.session.expire_all()
    assert db.session.get(Setting, "work_start").value == "08:45"
    row = _email("down")
    assert (row.status, row.attempts) == ("pending", 0)  # the record exists; only delivery waits

    # Redis returns; the scheduler's periodic sweep re-enqueues the row and a worker sends it.
    private_redis.start()
    _backdate(row.id)
    scheduler = subprocess.Popen(clocked(str(ROOT / "worker.py"), "scheduler"), cwd=ROOT,
                                 env=_worker_env(app, private_redis.url, tmp_path),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        queue = Queue(app.config["RQ_QUEUE"], connection=Redis.from_url(private_redis.url))
        deadline = time.time() + 20
        while (not any(job.func_name.endswith("sweep_outbox") for job in queue.jobs)
               and time.time() < deadline and scheduler.poll() is None):
            time.sleep(0.1)
        assert "intranet.jobs.mail.sweep_outbox" in [job.func_name for job in queue.jobs]
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=10)
    result = run_worker(redis_url=private_redis.url)
    assert result.returncode == 0, result.stderr
    smtp_sink.wait_for(1)
    # The scheduler also enqueued the workflows' periodic jobs, which may mail the demo users:
    # count only this row's message.
    ours = [m for m in smtp_sink.messages if m["Message-ID"].startswith(f"<outbox-{row.id}.")]
    assert len(ours) == 1 and _subject(ours[0]) == "审批提醒"
    assert _email("down").status == "sent"
    # Login throttling works again once Redis is back.
    other = web.test_client()
    for _ in range(5):
        assert other.post("/login", data={"username": "rep3", "password": "wrong"}).status_code == 200
    assert other.post("/login", data={"username": "rep3", "password": "demo123"}).status_code == 429


def test_enqueue_reports_failure_instead_of_raising(app):
    with app.test_request_context():
        app.config["REDIS_URL"] = f"redis://127.0.0.1:{_closed_port()}/0"
        assert enqueue_email(12345) is False


# ---- helpers --------------------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _backdate(email_id: int) -> None:
    db.session.execute(db.update(Email).where(Email.id == email_id)
                       .values(created_at=datetime.now(UTC) - timedelta(minutes=5)))
    db.session.commit()
