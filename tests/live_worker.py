"""Real worker processes for the daily/report tests: started like tests/conftest.py's run_worker
(worker.py under the test's clock, libfaketime stripped), but in parallel or killed on purpose.
Every wait is bounded, so a broken worker fails the test instead of hanging it."""

import subprocess
import time
from pathlib import Path

from conftest import clocked, subprocess_env

ROOT = Path(__file__).resolve().parents[1]  # tests/ → the project


def worker_env(app, **extra) -> dict:
    return subprocess_env(**{
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": app.config["REDIS_URL"],
        "RQ_QUEUE": app.config["RQ_QUEUE"], "MAIL_HOST": app.config["MAIL_HOST"],
        "MAIL_PORT": str(app.config["MAIL_PORT"]), "SECRET_KEY": "test-only-key",
        "INSTANCE_PATH": str(app.config["INSTANCE_DIR"]), **extra})


def start_worker(app, mode: str = "burst", **extra) -> subprocess.Popen:
    return subprocess.Popen(clocked(str(ROOT / "worker.py"), mode), cwd=ROOT, env=worker_env(app, **extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def finish(process: subprocess.Popen, timeout: float = 60) -> tuple[int, str]:
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _out, err = process.communicate(timeout=10)
        raise AssertionError(f"worker did not finish within {timeout} s: {err[-2000:]}") from None
    return process.returncode, err


def wait_until(predicate, timeout: float = 30, step: float = 0.1) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
