"""Periodic jobs for `rq cron` (rq's own scheduler — no rq-scheduler needed since rq 2.4).

Each job is idempotent on its own (one database row per occasion), so a missed
or doubled run never sends a reminder twice.
"""

from rq import cron

from .approvals import remind_overdue_approvals
from .attendance import attendance_reminders
from .contracts import contract_scan_reminders
from .daily import remind_missing_sheets, send_daily_reports
from .mail import sweep_outbox
from .office import office_reminders, tender_search_check
from .orders import build_invoice_summaries
from .receivables import dunning_reminders
from .reminders import daily_reminders, escalate_enquiries
from .reports import monthly_subscriptions, sweep_reports, weekly_subscriptions
from .samples import remind_unconfirmed_mailings
from .targets import flag_reps_below_target, send_daily_sales

QUEUE = "intranet"

cron.register(sweep_outbox, QUEUE, interval=60)
cron.register(remind_overdue_approvals, QUEUE, interval=600)
# 00:05 UTC = 08:05 Asia/Shanghai: plan due, report overdue, callbacks, certificates, birthdays.
cron.register(daily_reminders, QUEUE, cron="5 0 * * *")
# Every 15 minutes: the check-in reminder goes out once `checkin_remind_at` has passed (each once).
cron.register(attendance_reminders, QUEUE, interval=900)
# 00:15 UTC = 08:15 Asia/Shanghai: mailings not confirmed after N days (once per mailing).
cron.register(remind_unconfirmed_mailings, QUEUE, cron="15 0 * * *")
# 00:20 UTC = 08:20 Asia/Shanghai daily: last month's invoicing summaries exist from the 1st (once each).
cron.register(build_invoice_summaries, QUEUE, cron="20 0 * * *")

# Every 5 minutes: the daily report and the work-log summary once their set time has passed
# (each once per day), and the missing-sheet reminder after the due time (once per rep and day).
cron.register(send_daily_reports, QUEUE, interval=300)
cron.register(remind_missing_sheets, QUEUE, interval=300)
# Every minute: a report run whose worker died is marked failed; one never picked up is re-enqueued.
cron.register(sweep_reports, QUEUE, interval=60)
# 00:20 UTC = 08:20 Asia/Shanghai: archive loans overdue, tasks due (each once).
cron.register(office_reminders, QUEUE, cron="20 0 * * *")
# 00:25 UTC on Mondays = 08:25 Asia/Shanghai: fewer tender searches than required last week (once a week).
cron.register(tender_search_check, QUEUE, cron="25 0 * * 1")
# Every 15 minutes: enquiries the assistant holds past `enquiry_escalate_hours` go to the manager (once).
cron.register(escalate_enquiries, QUEUE, interval=900)
# 00:30 UTC on the 1st = 08:30 Asia/Shanghai: last month's report for the subscribers (once per month).
cron.register(monthly_subscriptions, QUEUE, cron="30 0 1 * *")
# 00:40 UTC on Mondays = 08:40 Asia/Shanghai: last week's report for the weekly subscribers (once per week).
cron.register(weekly_subscriptions, QUEUE, cron="40 0 * * 1")
# Every 15 minutes: dunning lines not recorded by `dunning_record_by` (rep, once), then the next day
# to the supervisor (once per line).
cron.register(dunning_reminders, QUEUE, interval=900)
# 00:10 UTC = 08:10 Asia/Shanghai: signed contracts without their scan, to the rep, later the assistant (once each).
cron.register(contract_scan_reminders, QUEUE, cron="10 0 * * *")
# 00:35 UTC = 08:35 Asia/Shanghai daily: reps two months in a row below target, to the manager (once each).
cron.register(flag_reps_below_target, QUEUE, cron="35 0 * * *")
# Every 15 minutes: the day's sales per rep to finance once `daily_sales_at` has passed (once per day).
cron.register(send_daily_sales, QUEUE, interval=900)
