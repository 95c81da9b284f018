"""Acceptance 4 (report jobs): a worker SIGKILLed mid-job leaves the run visibly failed within a
bounded time (its heartbeat stops), and a re-run succeeds; a job that crashes is failed with its
error and can be re-run."""

import os
import signal
from datetime import timedelta

from live_worker import start_worker, wait_until
from sqlalchemy import select

from intranet.extensions import db
from intranet.jobs.reports import generate_report
from intranet.models import ReportRun

HTMX = {"HX-Request": "true"}


def _request(client) -> ReportRun:
    assert client.post("/reports/request", data={"kind": "monthly", "period": "2026-10",
                                                 "scope": "all"}).status_code == 303
    return db.session.scalar(select(ReportRun).order_by(ReportRun.id.desc()))


def _status(run_id: int) -> tuple[str, int]:
    db.session.expire_all()
    run = db.session.get(ReportRun, run_id)
    return run.status, run.progress


def test_worker_killed_mid_job_is_failed_within_bounded_time_and_rerun_succeeds(app, login, frozen_clock,
                                                                                run_worker):
    assistant = login("assistant")
    run = _request(assistant)
    # A slow worker (2 s per rep) in its own process group: the RQ worker and its work horse.
    worker = start_worker(app, "worker", REPORT_STEP_SECONDS="2")
    try:
        assert wait_until(lambda: _status(run.id)[0] == "running" and _status(run.id)[1] > 0, timeout=60), \
            _status(run.id)
        os.killpg(os.getpgid(worker.pid), signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
        worker.stdout.close()
        worker.stderr.close()
    status, progress = _status(run.id)
    assert status == "running" and 0 < progress < 100  # the dead worker left it "running"

    # Its heartbeat has stopped; within the stale limit (2 minutes) the page shows it failed.
    frozen_clock.shift(timedelta(minutes=3))
    response = assistant.get(f"/reports/{run.id}/progress", headers=HTMX)
    assert response.status_code == 286
    assert "生成中断" in response.get_data(as_text=True) and "重新生成" in response.get_data(as_text=True)
    assert _status(run.id)[0] == "failed"

    assert assistant.post(f"/reports/{run.id}/rerun").status_code == 303
    assert _status(run.id) == ("queued", 0)
    result = run_worker()
    assert result.returncode == 0, result.stderr
    assert _status(run.id) == ("done", 100)
    assert assistant.get(f"/reports/{run.id}/download").status_code == 200


def test_a_crashing_job_is_failed_with_its_error_and_can_be_rerun(app, login):
    assistant = login("assistant")
    run = _request(assistant)
    app.config["REPORT_STEP_SECONDS"] = -1  # time.sleep(-1) raises in the middle of the job
    try:
        generate_report(run.id)
    except ValueError:
        pass
    else:
        raise AssertionError("the job should have raised")
    db.session.expire_all()
    run = db.session.get(ReportRun, run.id)
    assert run.status == "failed" and "ValueError" in run.error
    page = assistant.get(f"/reports/{run.id}").get_data(as_text=True)
    assert "生成失败" in page and "ValueError" in page
    app.config["REPORT_STEP_SECONDS"] = 0
    assert assistant.post(f"/reports/{run.id}/rerun").status_code == 303
    assert generate_report(run.id) == "done"
    assert generate_report(run.id) == "skipped"  # a duplicate job finds it done
    assert assistant.post(f"/reports/{run.id}/rerun").status_code == 409  # only a failed run re-runs
