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


def run_worker(app, burst: bool = False) -> None:
    with app.app_context():
        conn = redis_connection()
        Worker([queue(conn)], connection=conn).work(with_scheduler=not burst, burst=burst)


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
            else:
                run_worker(app, burst=mode == "burst")  # burst: drain the queue and exit (tests)
            return
        except RedisError as exc:
            log.warning("Redis unavailable (%s); retrying in 5 s", exc)
            time.sleep(5)


if __name__ == "__main__":
    main()
