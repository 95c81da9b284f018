"""The reminder schedule (提醒计划): every periodic job — what, when, to whom — with its switch and
its last runs: when each ran, what it did and what it sent (the emails and to-dos it wrote, caught
by a flush hook while the run is open). The manager turns jobs on and off; the times are settings
(services/settings.py)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from ..clock import now_utc
from ..extensions import db
from ..models import Email, JobRun, JobSwitch, Todo, User
from . import audit
from .errors import DomainError, Forbidden

EDITORS = ("manager",)
VIEWERS = ("manager", "assistant", "director")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    what: object
    when: object
    to_whom: object
    setting: str = ""  # the setting that holds its time, shown and linked on the page
    can_switch: bool = True
    runs_as: str = ""  # done by another job's runs (the work-log summary goes with the daily report)

    @property
    def run_name(self) -> str:
        return self.runs_as or self.name


JOBS = [
    PeriodicJob("daily_report", _l("销售日报（汇总当日日报表）"), _l("工作日，日报发送时间后（每 5 分钟检查）"),
                _l("订阅者：财务（归档）、董事长、总经理"), "daily_report_at"),
    PeriodicJob("worklog_report", _l("工作日志汇总（订单、意见、问题）"), _l("工作日，工作日志汇总发送时间后"),
                _l("订阅者：总经理、销售经理"), "worklog_report_at", runs_as="daily_report"),
    PeriodicJob("daily_sheet_missing", _l("日报表未交提醒"), _l("工作日，工作日志截止时间后"),
                _l("未交日报的业务员（出差、请假除外）"), "daily_log_deadline"),
    PeriodicJob("report_subscriptions", _l("月度报表订阅"), _l("每月 1 日 08:30"), _l("月报订阅者")),
    PeriodicJob("weekly_report_subscriptions", _l("周报表订阅"), _l("每周一 08:40"), _l("周报订阅者")),
    PeriodicJob("daily_reminders", _l("拜访计划、拜访报告、回访、证照到期、客户生日提醒"), _l("每天 08:05"),
                _l("业务员及其主管")),
    PeriodicJob("attendance_reminders", _l("未签到、次日请假提醒"), _l("每 15 分钟"), _l("本人、直属上级"),
                "checkin_remind_at"),
    PeriodicJob("approval_reminders", _l("审批超时提醒与升级"), _l("每 10 分钟"), _l("审批人，再上一级"),
                "approval_remind_hours"),
    PeriodicJob("mailing_reminders", _l("寄件未确认提醒"), _l("每天 08:15"), _l("销售内勤"), "mailing_unconfirmed_days"),
    PeriodicJob("office_reminders", _l("借阅逾期、任务到期、公司资质到期提醒"), _l("每天 08:20"),
                _l("借阅人、任务负责人、销售内勤与销售经理"), "qualification_remind_days"),
    PeriodicJob("tender_search_check", _l("招标信息检索次数检查"), _l("每周一 08:25"), _l("销售内勤、销售经理"),
                "tender_searches_per_week"),
    PeriodicJob("enquiry_escalation", _l("无人跟进的咨询转销售经理"), _l("每 15 分钟"), _l("销售经理"),
                "enquiry_escalate_hours"),
    PeriodicJob("invoice_summaries", _l("上月开票汇总（5 日前确认）"), _l("每天 08:20（每月 1 日起生成）"),
                _l("各区域主管")),
    PeriodicJob("dunning_reminders", _l("催款结果未登记提醒与升级"), _l("每 15 分钟，登记截止时间后"),
                _l("未登记的业务员；次日起其主管"), "dunning_record_by"),
    PeriodicJob("daily_sales_to_finance", _l("业务员销售业绩日报发财务"), _l("工作日，每 15 分钟，发送时间后"),
                _l("财务"), "daily_sales_at"),
    PeriodicJob("contract_scan_reminders", _l("合同签订后未上传扫描件提醒"), _l("每天 08:10"),
                _l("合同的业务员；再过几天销售内勤"), "contract_scan_remind_days"),
    PeriodicJob("flag_reps_below_target", _l("连续两个月未完成销售目标提醒"), _l("每天 08:35"), _l("销售经理")),
    PeriodicJob("sweep_outbox", _l("发件箱补发与中断恢复"), _l("每分钟"), _l("发件箱中的邮件"), can_switch=False),
    PeriodicJob("sweep_reports", _l("中断的报表任务标记为失败"), _l("每分钟"), _l("报表中心"), can_switch=False),
]
BY_NAME = {j.name: j for j in JOBS}


def is_enabled(name: str) -> bool:
    row = db.session.get(JobSwitch, name)
    return row is None or row.enabled


def set_enabled(actor, name: str, enabled: bool) -> None:
    if actor.role not in EDITORS:
        raise Forbidden(_l("只有销售经理可以开关提醒"))
    job = BY_NAME.get(name)
    if job is None or not job.can_switch:
        raise DomainError(_l("该任务不能关闭"))
    row = db.session.get(JobSwitch, name) or JobSwitch(name=name)
    before = row.enabled if row.enabled is not None else True
    row.enabled = enabled
    db.session.add(row)
    audit.record(actor, "job.switch", object_type="JobSwitch", object_id=None, before={name: before},
                 after={name: enabled})
    db.session.flush()


KEEP_RUNS = 50  # per job: the minutely sweeps must not grow the table without end
KEEP_ITEMS = 30  # what a run sent, listed on the page (the outbox has every email)


def start(name: str) -> int:
    """A run begins: recorded at once (a crash leaves it visibly unfinished), and from here every
    email and to-do this session writes is noted for the run."""
    run = JobRun(name=name, started_at=now_utc())
    db.session.add(run)
    db.session.flush()
    db.session.info["job_sent"] = []
    return run.id


def finish(run_id: int, outcome, failed: bool = False) -> None:
    items = db.session.info.pop("job_sent", None) or []
    run = db.session.get(JobRun, run_id)
    run.finished_at, run.outcome, run.failed = now_utc(), str(outcome)[:300], failed
    run.sent = {"emails": sum(1 for i in items if i["kind"] == "email"),
                "todos": sum(1 for i in items if i["kind"] == "todo"), "items": items[:KEEP_ITEMS]}
    db.session.flush()
    newest = select(JobRun.id).where(JobRun.name == run.name).order_by(JobRun.id.desc()).limit(KEEP_RUNS)
    db.session.execute(delete(JobRun).where(JobRun.name == run.name, JobRun.id.not_in(newest.scalar_subquery())))


@event.listens_for(Session, "after_flush")
def _note_sent(session, _flush_context) -> None:
    """While a periodic run is open, note each email and to-do it writes (new rows of this flush)."""
    noted = session.info.get("job_sent")
    if noted is None:
        return
    for obj in session.new:
        if isinstance(obj, Email):
            noted.append({"kind": "email", "to": obj.to_addr, "subject": obj.subject[:120]})
        elif isinstance(obj, Todo):
            noted.append({"kind": "todo", "to": obj.user_id, "subject": obj.text[:120]})


def overview() -> list[dict]:
    """Each job with its switch and its last run."""
    last_ids = dict(db.session.execute(select(JobRun.name, func.max(JobRun.id)).group_by(JobRun.name)).all())
    runs = {r.name: r for r in db.session.scalars(select(JobRun).where(JobRun.id.in_(list(last_ids.values()))))}
    switches = {s.name: s.enabled for s in db.session.scalars(select(JobSwitch))}
    return [{"job": j, "enabled": switches.get(j.name, True), "last": runs.get(j.run_name)} for j in JOBS]


def recipients(runs: list[JobRun]) -> dict[int, str]:
    """Names of the people the runs' to-dos went to (by user id), in one query."""
    ids = {i["to"] for r in runs if r and r.sent for i in r.sent["items"] if i["kind"] == "todo"}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}


def history(name: str, limit: int = 20) -> list[JobRun]:
    return list(db.session.scalars(select(JobRun).where(JobRun.name == name).order_by(JobRun.id.desc()).limit(limit)))
