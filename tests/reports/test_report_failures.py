"""Acceptance 4 (report jobs): a worker SIGKILLed mid-job leaves the run visibly failed within a
bounded time (its heartbeat stops), and a re-run succeeds; a job that crashes is failed with its
error and can be re-run."""

import os
import signal
from datetime import timedelta

from live_worker import finish, start_worker, wait_until
from sqlalchemy import select

from intranet.extensions import db
from intranet.jobs.reports import generate_report, sweep_reports
from intranet.models import ReportRun
from intranet.services import reports

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

    # Its heartbeat has stopped; past the stale limit (2 minutes) the page shows it abandoned at
    # once, without writing anything (a poll is a GET); the sweep job records it as failed.
    frozen_clock.shift(timedelta(minutes=3))
    response = assistant.get(f"/reports/{run.id}/progress", headers=HTMX)
    assert response.status_code == 286
    assert "生成中断" in response.get_data(as_text=True) and "重新生成" in response.get_data(as_text=True)
    assert _status(run.id)[0] == "running"  # the poll only read
    assert sweep_reports() == "abandoned 1, requeued 0"
    assert _status(run.id)[0] == "failed"
    assert "生成中断" in db.session.get(ReportRun, run.id).error

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


def test_a_stale_attempt_cannot_overwrite_the_rerun_that_replaced_it(app, login, frozen_clock, run_worker):
    """A real worker paused (SIGSTOP) in the middle of attempt 1 looks dead; the run is re-run and
    attempt 2 finishes; then attempt 1 wakes up: its heartbeat, its result and its failure are all
    fenced by the attempt, so the row keeps attempt 2's finished result."""
    assistant = login("assistant")
    run = _request(assistant)
    stale = start_worker(app, "burst", REPORT_STEP_SECONDS="2")
    try:
        assert wait_until(lambda: _status(run.id)[0] == "running" and _status(run.id)[1] > 0, timeout=60)
        os.killpg(os.getpgid(stale.pid), signal.SIGSTOP)
        frozen_clock.shift(timedelta(minutes=3))
        page = assistant.get(f"/reports/{run.id}/progress", headers=HTMX)
        assert page.status_code == 286 and "生成中断" in page.get_data(as_text=True)
        assert assistant.post(f"/reports/{run.id}/rerun").status_code == 303  # abandoned: re-runnable at once
        result = run_worker()
        assert result.returncode == 0, result.stderr
        db.session.expire_all()
        done = db.session.get(ReportRun, run.id)
        assert (done.status, done.progress, done.attempts) == ("done", 100, 2)
        finished_at, xlsx = done.finished_at, done.xlsx
        os.killpg(os.getpgid(stale.pid), signal.SIGCONT)
        code, err = finish(stale, timeout=90)
        assert code == 0, err
    finally:
        if stale.poll() is None:
            os.killpg(os.getpgid(stale.pid), signal.SIGKILL)
            stale.wait(timeout=10)
        stale.stdout.close()
        stale.stderr.close()
    db.session.expire_all()
    after = db.session.get(ReportRun, run.id)
    assert (after.status, after.progress, after.attempts, after.error) == ("done", 100, 2, "")
    assert after.finished_at == finished_at and after.xlsx == xlsx
    # The same fence, called directly as attempt 1 would: nothing changes.
    assert reports.finish(run.id, 1, {"rows": [], "totals": {}}, b"stale") is False
    assert reports.fail(run.id, 1, "RuntimeError: stale") is False
    db.session.expire_all()
    assert db.session.get(ReportRun, run.id).xlsx == xlsx


def test_polling_the_progress_never_writes(app, login, frozen_clock):
    """A GET of the progress fragment reads only: not even an abandoned run is changed by it."""
    assistant = login("assistant")
    run = _request(assistant)
    attempt = reports.claim(run.id)
    assert attempt == 1
    frozen_clock.shift(timedelta(minutes=3))
    statements = []

    def _record(_conn, _cursor, statement, *_args):
        statements.append(statement.split()[0].upper())

    from sqlalchemy import event

    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        for _ in range(3):
            assert assistant.get(f"/reports/{run.id}/progress", headers=HTMX).status_code == 286
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)
    assert statements and set(statements) <= {"SELECT"}, statements
    assert _status(run.id) == ("running", 0)
