"""Report center jobs: generate one run (by id), and the sweep for runs whose worker died."""

from ..extensions import db
from ..services import reports
from .runtime import enqueue, in_app_context, periodic


def enqueue_run(run_id: int) -> bool:
    # A duplicate job for the same run is harmless (the claim lets one through); the heartbeat
    # sweep covers a worker that is killed.
    return enqueue("intranet.jobs.reports.generate_report", run_id)


@in_app_context
def generate_report(run_id: int) -> str:
    from ..web.transaction import commit

    result = reports.generate(run_id)
    commit()  # the subscribers' emails (a scheduled run) go to the queue after the row is done
    return result


@in_app_context
@periodic("report_subscriptions")
def monthly_subscriptions() -> str:
    runs = reports.schedule_monthly()
    db.session.commit()
    for run in runs:
        enqueue_run(run.id)
    return " ".join(f"#{run.id} {run.period}" for run in runs) or "—"


@in_app_context
@periodic("weekly_report_subscriptions")
def weekly_subscriptions() -> str:
    runs = reports.schedule_weekly()
    db.session.commit()
    for run in runs:
        enqueue_run(run.id)
    return " ".join(f"#{run.id} {run.period}" for run in runs) or "—"


@in_app_context
@periodic("sweep_reports")
def sweep_reports() -> str:
    found = reports.sweep()
    for run_id in found["requeue"]:
        enqueue_run(run_id)
    return f"abandoned {len(found['abandoned'])}, requeued {len(found['requeue'])}"
