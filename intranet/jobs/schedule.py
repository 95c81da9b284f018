"""Periodic jobs for `rq cron` (rq's own scheduler — no rq-scheduler needed since rq 2.4).

Each job is idempotent on its own (one database row per occasion), so a missed
or doubled run never sends a reminder twice.
"""

from rq import cron

from .approvals import remind_overdue_approvals
from .attendance import attendance_reminders
from .mail import sweep_outbox
from .reminders import daily_reminders, escalate_enquiries
from .samples import remind_unconfirmed_mailings

QUEUE = "intranet"

cron.register(sweep_outbox, QUEUE, interval=60)
cron.register(remind_overdue_approvals, QUEUE, interval=600)
# 00:05 UTC = 08:05 Asia/Shanghai: plan due, report overdue, callbacks, certificates, birthdays.
cron.register(daily_reminders, QUEUE, cron="5 0 * * *")
# Every 15 minutes: the check-in reminder goes out once `checkin_remind_at` has passed (each once).
cron.register(attendance_reminders, QUEUE, interval=900)
# 00:15 UTC = 08:15 Asia/Shanghai: mailings not confirmed after N days (once per mailing).
cron.register(remind_unconfirmed_mailings, QUEUE, cron="15 0 * * *")
# Every 15 minutes: enquiries the assistant holds past `enquiry_escalate_hours` go to the manager (once).
cron.register(escalate_enquiries, QUEUE, interval=900)
