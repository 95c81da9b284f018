"""worker.py keeps working until it is told to stop: RQ's loop may end by itself (Redis hung past the
dequeue timeout, Redis gone mid-loop) and worker.py then starts it again; a stop signal still ends it."""

import signal
import subprocess

from conftest import ROOT, clocked, free_port, subprocess_env
from live_worker import wait_until
from redis import Redis
from rq import Worker


def test_a_stop_signal_still_ends_the_worker(app, tmp_path):
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
                              env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    worker = None
    try:
        assert wait_until(lambda: _pings(url), 10)
        env = subprocess_env(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=url,
                             RQ_QUEUE=app.config["RQ_QUEUE"], SECRET_KEY="test-only-key", INSTANCE_PATH=str(tmp_path))
        worker = subprocess.Popen(clocked(str(ROOT / "worker.py")), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        # "idle": RQ has installed its signal handlers and waits for a job (registered is too early)
        assert wait_until(lambda: [w.get_state() for w in Worker.all(connection=Redis.from_url(url))] == ["idle"], 30)
        worker.send_signal(signal.SIGTERM)
        _out, err = worker.communicate(timeout=20)
        assert worker.returncode == 0, err[-2000:]
        assert "starting again" not in err  # a requested stop is not mistaken for RQ giving up
    finally:
        if worker and worker.poll() is None:
            worker.kill()
            worker.communicate(timeout=10)
        server.terminate()
        server.wait(timeout=10)


def _pings(url: str) -> bool:
    try:
        return Redis.from_url(url, socket_connect_timeout=0.2).ping()
    except Exception:  # noqa: BLE001 — refused while it boots
        return False
