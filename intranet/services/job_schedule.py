"""The reminder schedule (提醒计划): every periodic job — what, when, to whom — with its switch and
its last runs. The manager turns jobs on and off; the times are settings (services/settings.py)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..clock import now_utc
from ..extensions import db
from ..models import JobRun, JobSwitch
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


JOBS = [
    PeriodicJob("daily_report", _l("销售日报（汇总当日日报表）"), _l("工作日，日报发送时间后（每 5 分钟检查）"),
                _l("订阅者：财务（归档）、董事长、总经理"), "daily_report_at"),
    PeriodicJob("worklog_report", _l("工作日志汇总（订单、意见、问题）"), _l("工作日，工作日志汇总发送时间后"),
                _l("订阅者：总经理、销售经理"), "worklog_report_at"),
    PeriodicJob("daily_sheet_missing", _l("日报表未交提醒"), _l("工作日，工作日志截止时间后"),
                _l("未交日报的业务员（出差、请假除外）"), "daily_log_deadline"),
    PeriodicJob("report_subscriptions", _l("月度报表订阅"), _l("每月 1 日 08:30"), _l("月报订阅者")),
    PeriodicJob("daily_reminders", _l("拜访计划、拜访报告、回访、证照到期、客户生日提醒"), _l("每天 08:05"),
                _l("业务员及其主管")),
    PeriodicJob("attendance_reminders", _l("未签到、次日请假提醒"), _l("每 15 分钟"), _l("本人、直属上级"),
                "checkin_remind_at"),
    PeriodicJob("approval_reminders", _l("审批超时提醒与升级"), _l("每 10 分钟"), _l("审批人，再上一级"),
                "approval_remind_hours"),
    PeriodicJob("mailing_reminders", _l("寄件未确认提醒"), _l("每天 08:15"), _l("销售内勤"), "mailing_unconfirmed_days"),
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


def start(name: str) -> JobRun:
    run = JobRun(name=name, started_at=now_utc())
    db.session.add(run)
    db.session.flush()
    return run


def finish(run: JobRun, outcome) -> None:
    run.finished_at, run.outcome = now_utc(), str(outcome)[:300]
    db.session.flush()


def overview() -> list[dict]:
    """Each job with its switch and its last run."""
    last_ids = dict(db.session.execute(select(JobRun.name, func.max(JobRun.id)).group_by(JobRun.name)).all())
    runs = {r.name: r for r in db.session.scalars(select(JobRun).where(JobRun.id.in_(list(last_ids.values()))))}
    switches = {s.name: s.enabled for s in db.session.scalars(select(JobSwitch))}
    return [{"job": j, "enabled": switches.get(j.name, True), "last": runs.get(j.name)} for j in JOBS]


def history(name: str, limit: int = 20) -> list[JobRun]:
    return list(db.session.scalars(select(JobRun).where(JobRun.name == name).order_by(JobRun.id.desc()).limit(limit)))
