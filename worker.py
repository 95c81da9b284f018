"""RQ worker and scheduler entry point.

    python worker.py            # a worker on the intranet queue
    python worker.py scheduler  # rq's CronScheduler with intranet/jobs/schedule.py
    python worker.py burst      # work until the queue is empty, then exit

The app is built here with the factory at start (never at import time). Both
loops survive Redis restarts: they wait and reconnect instead of exiting, so one
`make run` keeps going while Redis is briefly down.
"""

import logging
import sys
import time

from redis.exceptions import RedisError
from rq import Worker
from rq.cron import CronScheduler

from intranet import create_app
from intranet.jobs.runtime import queue, redis_connection

log = logging.getLogger("worker")


def run_worker(app, burst: bool = False) -> bool:
    """Work the queue; True when it ended on purpose (a stop signal, or burst's empty queue).

    RQ's loop also ends by itself — "Redis connection timeout, quitting" when Redis hangs longer than
    the dequeue timeout, "found an unhandled exception, quitting" when Redis vanished mid-loop — and
    then returns normally: without this answer the process would exit and mail would wait for a person.
    """
    with app.app_context():
        conn = redis_connection()
        worker = Worker([queue(conn)], connection=conn)
        worker.work(with_scheduler=not burst, burst=burst)
        # rq (pinned, 3.0) records the stop signal here; an unrequested end leaves it None.
        return burst or worker._shutdown_requested_date is not None


def run_scheduler(app) -> None:
    with app.app_context():
        cron = CronScheduler(connection=redis_connection())
        cron.load_config_from_file("intranet.jobs.schedule")
        cron.start()


def main() -> None:
    app = create_app()
    mode = sys.argv[1] if len(sys.argv) > 1 else "worker"
    while True:
        try:
            if mode == "scheduler":
                run_scheduler(app)
                return
            if run_worker(app, burst=mode == "burst"):  # burst: drain the queue and exit (tests)
                return
            log.warning("the RQ worker loop ended without a stop request; starting again in 5 s")
            time.sleep(5)
        except RedisError as exc:
            log.warning("Redis unavailable (%s); retrying in 5 s", exc)
            time.sleep(5)


if __name__ == "__main__":
    main()
