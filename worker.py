"""RQ worker and scheduler entry point.

    python worker.py            # a worker on the intranet queue
    python worker.py scheduler  # rq's CronScheduler with intranet/jobs/schedule.py

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


def run_worker(app) -> None:
    with app.app_context():
        conn = redis_connection()
        Worker([queue(conn)], connection=conn).work(with_scheduler=True)


def run_scheduler(app) -> None:
    with app.app_context():
        cron = CronScheduler(connection=redis_connection())
        cron.load_config_from_file("intranet.jobs.schedule")
        cron.start()


def main() -> None:
    app = create_app()
    target = run_scheduler if sys.argv[1:] == ["scheduler"] else run_worker
    while True:
        try:
            target(app)
            return
        except RedisError as exc:
            log.warning("Redis unavailable (%s); retrying in 5 s", exc)
            time.sleep(5)


if __name__ == "__main__":
    main()
