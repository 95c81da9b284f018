"""Periodic jobs for `rq cron` (rq's own scheduler — no rq-scheduler needed since rq 2.4).

Each job is idempotent on its own (one database row per occasion), so a missed
or doubled run never sends a reminder twice.
"""

from rq import cron

from .approvals import remind_overdue_approvals
from .mail import sweep_outbox

QUEUE = "intranet"

cron.register(sweep_outbox, QUEUE, interval=60)
cron.register(remind_overdue_approvals, QUEUE, interval=600)
