"""Report center jobs: generate one run (by id), and the sweep for runs whose worker died."""

from ..services import reports
from .runtime import enqueue, in_app_context, periodic


def enqueue_run(run_id: int, attempt: int = 0) -> bool:
    # job_timeout bounds a run that hangs; the heartbeat sweep covers a worker that is killed.
    return enqueue("intranet.jobs.reports.generate_report", run_id)


@in_app_context
def generate_report(run_id: int) -> str:
    return reports.generate(run_id)


@in_app_context
@periodic("sweep_reports")
def sweep_reports() -> str:
    found = reports.sweep()
    for run_id in found["requeue"]:
        enqueue_run(run_id)
    return f"abandoned {len(found['abandoned'])}, requeued {len(found['requeue'])}"
