"""Issue 10, acceptance 4: the fault drill. Bounded (about a minute), PostgreSQL only, in `make test`.

The app runs as in the Procfile — gunicorn with two workers — on this test's PostgreSQL database with
the demo, with a private redis-server and a real RQ worker (both without libfaketime, all three under
the test's clock through tests/clocked.py) and the SMTP sink. Six people (two reps, their supervisor,
the assistant, the manager, finance) work through real HTTP sessions for about 25 s: claims submitted,
approvals decided (each queues email), petty-cash entries recorded, desks and registers read. Meanwhile
every PostgreSQL backend of the database is killed twice (pg_terminate_backend) and the Redis server
is stopped and started again (an empty Redis: the queued jobs are gone, only the outbox remembers).

Then: every answer was a success, a refusal page or the app's own error page (never a traceback, a
dropped connection or a hang); the requests started after each fault succeeded; the audit chain and
the ledger/receivables integrity checks pass; each cash box's balance is the sum of its entries; no
claim without its lines or approval request, no request without steps, submission and announcement;
and after the worker and the outbox sweep catch up, every outbox row is delivered exactly once.
"""

import http.client
import http.cookiejar
import random
import re
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import ROOT, clocked, free_port, subprocess_env
from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import create_engine, delete, func, select, text
from sqlalchemy.pool import NullPool

from intranet.clock import today_local
from intranet.extensions import db
from intranet.jobs.mail import sweep_outbox
from intranet.models import ApprovalRequest, Email, ExpenseClaim, LedgerEntry, PettyCashAccount
from intranet.models.approvals import ApprovalDecision
from intranet.models.expenses import ExpenseLine
from intranet.services import audit, ledger, receivables

pytestmark = pytest.mark.postgres

BIN = Path(ROOT) / ".venv" / "bin"
LOAD_SECONDS = 20
ERROR_PAGE = "系统出错，请稍后再试"  # templates/errors/page.html, or web/errors.BARE_500
PNG = bytes.fromhex(  # a 1×1 picture of the fapiao (a claim is submitted with its receipts)
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a7f1d2e50000000049454e44ae426082")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
DECISION = re.compile(r'action="/approvals/(\d+)/decide".*?name="step_index" value="(\d+)">\s*'
                      r'<input type="hidden" name="round" value="(\d+)"', re.S)


# ---- the servers ------------------------------------------------------------------------

class Redis_:
    """A private redis-server that the drill stops and starts again on the same port."""

    def __init__(self, log: Path):
        self.port, self.log, self.process = free_port(), log, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with self.log.open("a") as out:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                env=subprocess_env(), stdout=out, stderr=subprocess.STDOUT)
        assert _until(lambda: _pings(self.url), 10), "private redis-server did not start"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _pings(url: str) -> bool:
    try:
        return Redis.from_url(url, socket_connect_timeout=0.2).ping()
    except Exception:  # noqa: BLE001 — connection refused while it boots
        return False


def _until(predicate, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


def _spawn(argv: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# ---- the people -------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 303 is an answer to record, not to follow


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """A multipart/form-data body (fields, then files as name → (filename, bytes, type))."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    for name, (filename, content, kind) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {kind}\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Session:
    """A browser's cookie jar over HTTP (the standard library: the project has no HTTP client package)."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())

    def request(self, method: str, url: str, data: dict | None = None, headers: dict | None = None,
                files: dict | None = None, timeout: float = 25) -> tuple[int, str]:
        headers = dict(headers or {})
        if files:
            body, headers["Content-Type"] = _multipart(data or {}, files)
        else:
            body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:  # 3xx (not followed), 4xx, 5xx: an answer with a body
            with exc:
                return exc.code, exc.read().decode(errors="replace")


@dataclass
class Answer:
    who: str
    what: str
    started: float
    ended: float
    outcome: str  # ok, refused, error-page, bad
    detail: str = ""


@dataclass
class Drill:
    base: str
    stop: threading.Event = field(default_factory=threading.Event)
    answers: list[Answer] = field(default_factory=list)
    faults: list[tuple[str, float, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, session: Session, who: str, what: str, method: str, url: str, **kw) -> str | None:
        started = time.monotonic()
        try:
            status, body = session.request(method, self.base + url, **kw)
        except (OSError, http.client.HTTPException) as exc:  # a hang, a dropped connection: never acceptable
            self._record(Answer(who, what, started, time.monotonic(), "bad", repr(exc)))
            return None
        if status in (302, 303) or status == 200 and method == "GET":
            outcome = "ok"
        elif status == 200:
            outcome = "refused"  # the form again, with the reason next to its field (e.g. 余额不足)
        elif status == 409 and "error-page" in body:
            outcome = "refused"  # e.g. a decision someone else made first, a box without the cash
        elif status in (500, 503) and ERROR_PAGE in body and "Traceback" not in body:
            outcome = "error-page"
        else:
            outcome = "bad"
        self._record(Answer(who, what, started, time.monotonic(), outcome,
                            f"HTTP {status}: {body[:300]}" if outcome == "bad" else ""))
        return body if outcome == "ok" else None

    def _record(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)


def _login(drill: Drill, username: str) -> tuple[Session, str]:
    session = Session()
    token = CSRF.search(session.request("GET", drill.base + "/login")[1]).group(1)
    status, _ = session.request("POST", drill.base + "/login", data={"username": username, "password": "demo123",
                                                                   "csrf_token": token})
    assert status == 303, f"login failed for {username}: {status}"
    # Signing in starts a new session, and with it a new CSRF token: the one the pages now carry.
    return session, CSRF.search(session.request("GET", drill.base + "/approvals/mine")[1]).group(1)


def _pause(drill: Drill, seconds: float) -> None:
    """Sleep, waking early when the drill stops. Not drill.stop.wait(seconds): under libfaketime a timed
    threading wait that runs to its timeout waits for the fake clock's offset (libfaketime #390)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until and not drill.stop.is_set():
        time.sleep(0.05)


def _claimant(drill: Drill, session, token, who: str, rng: random.Random) -> None:
    day = today_local().isoformat()
    while not drill.stop.is_set():
        amount = f"{rng.randint(20, 180)}.{rng.randint(0, 99):02d}"
        drill.call(session, who, "submit claim", "POST", "/expenses/claims/new", headers={"X-CSRFToken": token}, data={
            "title": f"拜访客户 {rng.randint(1, 9999)}", "promotion_id": "0", "action": "submit",
            "lines-0-category": "travel", "lines-0-spent_on": day, "lines-0-amount": amount,
            "lines-0-description": "高铁", "lines-1-category": "entertainment", "lines-1-spent_on": day,
            "lines-1-amount": "35.00", "lines-1-description": "午餐"}, files={"receipts": ("fapiao.png", PNG, "image/png")})
        drill.call(session, who, "desk", "GET", "/rep/")
        drill.call(session, who, "my approvals", "GET", "/approvals/mine")
        _pause(drill, 1.5)  # people fill a claim in before they submit the next one


def _approver(drill: Drill, session, token, who: str, desk: str, rng: random.Random) -> None:
    while not drill.stop.is_set():
        inbox = drill.call(session, who, "inbox", "GET", "/approvals/")
        for request_id, step, round_ in DECISION.findall(inbox or "")[:3]:
            action = "approve" if rng.random() < 0.8 else "return"
            drill.call(session, who, f"decide {action}", "POST", f"/approvals/{request_id}/decide",
                       headers={"X-CSRFToken": token},
                       data={"action": action, "comment": "" if action == "approve" else "请补充票据",
                             "step_index": step, "round": round_})
        drill.call(session, who, "desk", "GET", desk)
        time.sleep(0.2)


def _cashier(drill: Drill, session, token, account_id: int, rng: random.Random) -> None:
    day = today_local().isoformat()
    while not drill.stop.is_set():
        if rng.random() < 0.3:
            data = {"kind": "float_in", "amount": "500.00", "memo": "财务拨付备用金"}
        else:
            data = {"kind": "disbursement", "amount": f"{rng.randint(5, 60)}.00", "category": "courier",
                    "memo": f"快递费 {rng.randint(1, 999)}"}
        drill.call(session, "assistant", "ledger entry", "POST", "/ledger/record", headers={"X-CSRFToken": token},
                   data={**data, "entry_date": day})
        drill.call(session, "assistant", "ledger month", "GET", f"/ledger/?account={account_id}")
        drill.call(session, "assistant", "desk", "GET", "/assistant/")


def _reader(drill: Drill, session, who: str, pages: list[str]) -> None:
    while not drill.stop.is_set():
        for page in pages:
            drill.call(session, who, page, "GET", page)
        time.sleep(0.3)


# ---- the faults -------------------------------------------------------------------------

def _kill_backends(admin_url: str, database: str) -> int:
    admin = create_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.scalar(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": database})
    admin.dispose()
    return killed


def _faults(drill: Drill, redis_server: Redis_, admin_url: str, database: str) -> None:
    plan = [(4, "kill"), (8, "redis-stop"), (10.5, "redis-start"), (14, "kill")]
    begun = time.monotonic()
    for at, what in plan:
        while time.monotonic() - begun < at:
            time.sleep(0.05)
            if drill.stop.is_set():
                return
        started = time.monotonic()
        if what == "kill":
            detail = f"kill ({_kill_backends(admin_url, database)} backends)"
        elif what == "redis-stop":
            redis_server.stop()
            detail = "redis down"
        else:
            redis_server.start()
            detail = "redis up"
        drill.faults.append((detail, started, time.monotonic()))


# ---- the drill --------------------------------------------------------------------------

@pytest.mark.timeout(420)  # every wait inside is bounded; this is the backstop for a loaded CI machine
def test_fault_drill(pg_app, pg_url, tmp_path, frozen_clock):
    from conftest import PG_ADMIN_URL, SMTPSink

    started = time.monotonic()
    database = pg_url.rsplit("/", 1)[1]
    account_id = _prepare_cash_box()
    db.session.execute(delete(Email))  # the drill starts with an empty outbox (the demo's own mail is not its)
    db.session.commit()
    before = {model: db.session.scalar(select(func.coalesce(func.max(model.id), 0)))
              for model in (ApprovalRequest, ExpenseClaim)}
    db.session.remove()
    db.engine.dispose()  # the test holds no connection while the drill kills them all

    sink = SMTPSink()
    sink.controller.start()
    redis_server = Redis_(tmp_path / "redis.log")
    redis_server.start()
    pg_app.config.update(REDIS_URL=redis_server.url, MAIL_HOST="127.0.0.1", MAIL_PORT=sink.port)
    env = subprocess_env(DATABASE_URL=pg_url, REDIS_URL=redis_server.url, RQ_QUEUE=pg_app.config["RQ_QUEUE"],
                         MAIL_HOST="127.0.0.1", MAIL_PORT=str(sink.port), SECRET_KEY="drill-only-key",
                         INSTANCE_PATH=str(tmp_path), WEB_WORKERS="2")
    port = free_port()
    web = _spawn(clocked(str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                         "--timeout", "30", "--graceful-timeout", "5", "intranet:create_app()"),
                 env, tmp_path / "gunicorn.log")
    worker = _spawn(clocked(str(ROOT / "worker.py")), env, tmp_path / "worker.log")
    logs = lambda: {p.name: p.read_text()[-3000:] for p in tmp_path.glob("*.log")}  # noqa: E731
    drill = Drill(f"http://127.0.0.1:{port}")
    try:
        assert _until(lambda: _up(drill.base), 60), f"gunicorn did not come up: {logs()}"
        phases = {"start": time.monotonic() - started}
        rng = random.Random(10)
        people = {name: _login(drill, name) for name in ("rep1", "rep2", "supervisor1", "manager", "assistant",
                                                         "finance")}
        threads = [
            threading.Thread(target=_claimant, args=(drill, *people["rep1"], "rep1", random.Random(1))),
            threading.Thread(target=_claimant, args=(drill, *people["rep2"], "rep2", random.Random(2))),
            threading.Thread(target=_approver, args=(drill, *people["supervisor1"], "supervisor1", "/supervisor/",
                                                     random.Random(3))),
            threading.Thread(target=_approver, args=(drill, *people["manager"], "manager", "/manager/",
                                                     random.Random(4))),
            threading.Thread(target=_cashier, args=(drill, *people["assistant"], account_id, rng)),
            threading.Thread(target=_reader, args=(drill, people["finance"][0], "finance",
                                                   ["/finance/", "/ledger/confirm", "/receivables/"])),
        ]
        for t in threads:
            t.start()
        faults = threading.Thread(target=_faults, args=(drill, redis_server, PG_ADMIN_URL, database))
        faults.start()
        time.sleep(LOAD_SECONDS)
        faults.join(10)
        _until(lambda: _everybody_back(drill), 15, 0.2)  # a slow machine: give the last round time (bounded)
        drill.stop.set()
        for t in [*threads, faults]:
            t.join(60)
        assert not any(t.is_alive() for t in [*threads, faults]), "a client thread hung"

        _assert_answers(drill, logs)
        phases["load"] = time.monotonic() - started - phases["start"]
        delivered, swept = _catch_up(pg_app, redis_server, sink, frozen_clock, worker, logs)
        phases["catch-up"] = time.monotonic() - started - phases["start"] - phases["load"]
    finally:
        # A failure above must not leave the client threads running: against a stopped server they
        # would loop on refused connections for ever, and the test process would never exit.
        drill.stop.set()
        for process in (web, worker):
            _stop(process)
        redis_server.stop()
        sink.controller.stop()
    gunicorn_log = (tmp_path / "gunicorn.log").read_text()
    assert "WORKER TIMEOUT" not in gunicorn_log, gunicorn_log[-3000:]  # a hung request is a bug, not noise
    _assert_consistent(delivered, before)
    print(f"fault drill: {len(drill.answers)} requests, {Counter(a.outcome for a in drill.answers)}, "
          f"faults {[f[0] for f in drill.faults]}, {len(delivered)} emails ({swept} re-enqueued by the sweep), {time.monotonic() - started:.0f} s "
          f"({', '.join(f'{k} {v:.0f} s' for k, v in phases.items())})")


def _everybody_back(drill: Drill) -> bool:
    """Each person has had a successful answer to a request started after the last fault."""
    if not drill.faults:
        return False
    last = drill.faults[-1][2]
    with drill.lock:
        return {a.who for a in drill.answers} <= {a.who for a in drill.answers if a.started > last and a.outcome == "ok"}


def _up(base: str) -> bool:
    try:
        return Session().request("GET", base + "/login", timeout=2)[0] == 200
    except OSError:
        return False


def _prepare_cash_box() -> int:
    from intranet.models import User

    assistant = db.session.scalar(select(User).where(User.username == "assistant"))
    account = ledger.account_for(assistant)
    db.session.commit()
    return account.id


def _assert_answers(drill: Drill, logs) -> None:
    answers = sorted(drill.answers, key=lambda a: a.started)
    bad = [a for a in answers if a.outcome == "bad"]
    assert not bad, f"{len(bad)} answers were neither a page nor the error page: {bad[:5]}\n{logs()}"
    outcomes = Counter(a.outcome for a in answers)
    assert len(drill.faults) == 4, drill.faults
    assert outcomes["ok"] > 40, outcomes  # the mix really ran
    assert Counter(a.what for a in answers if a.outcome == "ok")["submit claim"] >= 4
    for (name, _began, ended), following in zip(drill.faults, [*drill.faults[1:], None], strict=True):
        # Every request started after the fault had happened (and before the next) succeeds: pool
        # pre-ping replaces the killed connections; Redis is not needed to answer a page.
        later = [a for a in answers if a.started > ended and (following is None or a.ended < following[1])]
        failed = [a for a in later if a.outcome == "error-page"]
        assert not failed, f"after {name}: {failed[:5]}\n{logs()}"
        for who in {a.who for a in answers}:  # and everybody got on with their work after it
            assert any(a.who == who and a.started > ended and a.outcome == "ok" for a in answers), (who, name)


def _queue_idle(redis_url: str, queue_name: str) -> bool:
    conn = Redis.from_url(redis_url)
    queue = Queue(queue_name, connection=conn)
    return len(queue) == 0 and StartedJobRegistry(queue=queue).count == 0


def _catch_up(app, redis_server: Redis_, sink, clock, worker, logs) -> tuple[dict[int, int], int]:
    """The worker drains its queue; the sweep (what the scheduler runs every minute) re-enqueues what
    Redis lost, once the rows are old enough (the test's clock moves six minutes on); drained again."""
    queue_name = app.config["RQ_QUEUE"]
    assert worker.poll() is None, f"the RQ worker exited: {logs()}"
    assert _until(lambda: _queue_idle(redis_server.url, queue_name), 90), f"the worker did not drain: {logs()}"
    clock.shift(timedelta(minutes=6))
    with app.app_context():
        swept = sweep_outbox()
        db.session.remove()
    retries = ScheduledJobRegistry(queue=Queue(queue_name, connection=Redis.from_url(redis_server.url)))

    def done() -> bool:
        with app.app_context():
            open_rows = db.session.scalar(select(func.count(Email.id)).where(Email.status.in_(("pending", "sending"))))
            db.session.remove()
        return open_rows == 0 and _queue_idle(redis_server.url, queue_name)

    assert _until(done, 90, 0.3), f"the outbox did not drain (retries {retries.count}): {logs()}"
    time.sleep(1)  # a doubled delivery would arrive now
    delivered = Counter()
    for message in sink.messages:
        found = re.match(r"<outbox-(\d+)\.", message["Message-ID"] or "")
        assert found, message["Message-ID"]
        delivered[int(found.group(1))] += 1
    return dict(delivered), swept


def _assert_consistent(delivered: dict[int, int], before: dict) -> None:
    db.session.remove()
    db.engine.dispose()
    # The audit chain and the workflows' own tamper evidence, as `flask audit-verify` checks them.
    assert audit.verify() is None
    assert ledger.verify() == []
    assert receivables.verify() == []
    for account in db.session.scalars(select(PettyCashAccount)):
        total = db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0))
                                  .where(LedgerEntry.account_id == account.id))
        count = db.session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.account_id == account.id))
        assert (account.balance, account.entry_count) == (Decimal(total), count), account.id
    # No half-written claim: its lines, its total, and (once submitted) its approval request.
    requests_by_doc = {r.doc_id: r for r in db.session.scalars(select(ApprovalRequest).where(
        ApprovalRequest.doc_type == "expense", ApprovalRequest.id > before[ApprovalRequest]))}
    claims = list(db.session.scalars(select(ExpenseClaim).where(ExpenseClaim.id > before[ExpenseClaim])))
    assert len(claims) >= 4
    for claim in claims:
        lines = list(db.session.scalars(select(ExpenseLine).where(ExpenseLine.claim_id == claim.id)))
        assert lines and claim.total == sum(ln.amount for ln in lines), claim.id
        if claim.status != "draft":
            assert claim.id in requests_by_doc, f"claim #{claim.id} {claim.status} without its approval request"
    # No half-written approval: steps, the submission of its round, and its people told.
    emails = {e.key: e for e in db.session.scalars(select(Email))}
    for req in requests_by_doc.values():
        assert req.steps, req.id
        actions = [(d.round, d.action) for d in db.session.scalars(
            select(ApprovalDecision).where(ApprovalDecision.request_id == req.id))]
        assert (req.round, "submit") in actions, (req.id, actions)
        if req.status == "pending":
            assert any(k.startswith(f"approval:{req.id}:r{req.round}:s{req.current_step}:") for k in emails), req.id
        else:
            assert f"approval:{req.id}:r{req.round}:result:{req.status}" in emails, req.id
    # Every email the outbox recorded was delivered exactly once; nothing arrived that it did not record.
    assert emails, "the drill queued no email"
    rows = {e.id: e for e in emails.values()}
    assert {i: n for i, n in delivered.items() if n != 1} == {}, "doubled emails"
    assert set(delivered) == set(rows), f"lost {sorted(set(rows) - set(delivered))[:10]}, " \
                                        f"unknown {sorted(set(delivered) - set(rows))[:10]}"
    assert {e.status for e in rows.values()} == {"sent"}, Counter(e.status for e in rows.values())
