"""Company settings: typed defaults from the seed, overrides stored in the database."""

import re
from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Setting
from . import audit
from .errors import DomainError


@dataclass(frozen=True)
class SettingDef:
    key: str
    label: object
    kind: str  # "time", "int", "money", "email", "choice", "text"
    default: str
    group: object
    choices: tuple = ()  # kind "choice": ((value, label), ...)


# Defaults are the seed's rules: 上班 09:00, 迟到10分钟以内罚20元, 10分钟到1小时罚50元,
# 1小时以上按旷工半天; 日报 16:30 前.
DEFINITIONS = [
    SettingDef("work_start", _l("上班时间"), "time", "09:00", _l("考勤")),
    SettingDef("work_end", _l("下班时间"), "time", "17:30", _l("考勤")),
    SettingDef("late_grace_minutes", _l("迟到宽限（分钟）"), "int", "0", _l("考勤")),
    SettingDef("late_band1_minutes", _l("迟到第一档（分钟以内）"), "int", "10", _l("考勤")),
    SettingDef("late_band1_fine", _l("第一档罚款"), "money", "20.00", _l("考勤")),
    SettingDef("late_band2_minutes", _l("迟到第二档（分钟以内）"), "int", "60", _l("考勤")),
    SettingDef("late_band2_fine", _l("第二档罚款"), "money", "50.00", _l("考勤")),
    # 迟到1小时以上按公司有关规定执行: counted as this many half days of 旷工 (1 = half a day, the default;
    # 2 = a whole day); 0 = fined at the second band instead.
    SettingDef("late_over_half_days", _l("迟到超过第二档计旷工（半天数，0 为按第二档罚款）"), "int", "1", _l("考勤")),
    SettingDef("morning_meeting", _l("早会时间"), "time", "09:50", _l("考勤")),
    SettingDef("checkin_remind_at", _l("未签到提醒时间"), "time", "09:15", _l("考勤")),
    SettingDef("midday", _l("半天分界（下午上班）"), "time", "13:00", _l("考勤")),
    SettingDef("annual_leave_days", _l("年假天数（默认）"), "int", "5", _l("考勤")),
    SettingDef("trip_manager_threshold", _l("出差经理审批起点（预计费用）"), "money", "3000.00", _l("审批")),
    SettingDef("daily_log_deadline", _l("工作日志截止时间"), "time", "16:30", _l("报表")),
    SettingDef("daily_report_at", _l("日报发送时间（汇总发财务、董事长、总经理）"), "time", "16:30", _l("报表")),
    SettingDef("worklog_report_at", _l("工作日志汇总发送时间"), "time", "17:20", _l("报表")),
    SettingDef("daily_sales_at", _l("业务员销售业绩日报发财务时间"), "time", "17:00", _l("报表")),
    SettingDef("chairman_email", _l("董事长邮箱（外部地址）"), "email", "chairman@example.com", _l("报表")),
    # What counts as sales in every figure (services/sales_figures.py); shown on each page that uses it.
    SettingDef("sales_basis", _l("销售额统计口径"), "choice", "entered", _l("报表"),
               (("entered", _l("按制单（已录入订单）")), ("shipped", _l("按发货（已复核发货）")),
                ("invoiced", _l("按开票（已复核发票）")), ("collected", _l("按回款（财务确认到账）")))),
    SettingDef("visit_report_days", _l("拜访报告期限（天）"), "int", "2", _l("拜访")),
    SettingDef("expense_manager_threshold", _l("报销经理审批起点"), "money", "2000.00", _l("审批")),
    SettingDef("expense_director_threshold", _l("报销总监审批起点"), "money", "10000.00", _l("审批")),
    SettingDef("approval_remind_hours", _l("审批超时提醒（小时）"), "int", "24", _l("审批")),
    SettingDef("approval_escalate_hours", _l("审批超时升级（小时）"), "int", "48", _l("审批")),
    SettingDef("sample_manager_threshold", _l("样品领用经理审批起点"), "money", "1000.00", _l("样品")),
    SettingDef("enquiry_escalate_hours", _l("空白区域咨询转销售经理（小时）"), "int", "24", _l("客户")),
    SettingDef("mailing_unconfirmed_days", _l("寄件未确认提醒（天）"), "int", "5", _l("样品")),
    # The printed quotation's letterhead (报价单抬头).
    SettingDef("company_name", _l("公司名称（打印抬头）"), "text", "销售内勤示范有限公司", _l("公司")),
    SettingDef("company_address", _l("公司地址"), "text", "", _l("公司")),
    SettingDef("company_phone", _l("公司电话"), "text", "", _l("公司")),
    SettingDef("contract_director_threshold", _l("合同评审总监审批起点（合同金额）"), "money", "100000.00", _l("合同")),
    SettingDef("tender_searches_per_week", _l("每周招标信息检索次数（至少）"), "int", "3", _l("办公室")),
    SettingDef("qualification_remind_days", _l("公司资质到期提前提醒（天）"), "int", "30", _l("办公室")),
    SettingDef("collection_days", _l("回款期限（开票后天数）"), "int", "30", _l("应收账款")),
    SettingDef("collection_warn_days", _l("回款到期提示（到期前天数）"), "int", "7", _l("应收账款")),
    SettingDef("dunning_record_by", _l("催款联系记录截止时间（当日）"), "time", "17:30", _l("应收账款")),
    # Signed contracts without the scan of the signed copy: the rep is reminded after N days, the
    # assistant after M days (jobs/contracts.py, each once per contract).
    SettingDef("contract_scan_remind_days", _l("合同签订后未上传扫描件提醒业务员（天）"), "int", "3", _l("合同")),
    SettingDef("contract_scan_escalate_days", _l("合同签订后未上传扫描件提醒销售内勤（天）"), "int", "7", _l("合同")),
    # The commission rate table (services/collection_statistics.py): the month's collected amount of a
    # rep is paid at the rate (per cent) of the band the whole amount falls in.
    SettingDef("commission_band1_upto", _l("佣金第一档：月回款不超过"), "money", "100000.00", _l("佣金")),
    SettingDef("commission_rate1", _l("佣金第一档提成比例（%）"), "money", "1.50", _l("佣金")),
    SettingDef("commission_band2_upto", _l("佣金第二档：月回款不超过"), "money", "300000.00", _l("佣金")),
    SettingDef("commission_rate2", _l("佣金第二档提成比例（%）"), "money", "2.00", _l("佣金")),
    SettingDef("commission_rate3", _l("佣金第三档（超过第二档）提成比例（%）"), "money", "2.50", _l("佣金")),
]
BY_KEY = {d.key: d for d in DEFINITIONS}
EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")


def parse(defn: SettingDef, raw: str):
    raw = (raw or "").strip()
    if defn.kind == "choice":
        if raw not in dict(defn.choices):
            raise DomainError(_l("请选择一个选项"), field=defn.key)
        return raw
    if defn.kind == "text":
        if len(raw) > 120:
            raise DomainError(_l("最多 120 个字"), field=defn.key)
        return raw
    if defn.kind == "email":
        if raw and not EMAIL.fullmatch(raw):
            raise DomainError(_l("邮箱格式不正确"), field=defn.key)
        return raw
    try:
        if defn.kind == "time":
            hours, minutes = raw.split(":")
            return time(int(hours), int(minutes))
        if defn.kind == "int":
            value = int(raw)
            if value < 0:
                raise ValueError
            return value
        value = Decimal(raw)
        if value < 0 or value != value.quantize(Decimal("0.01")):
            raise ValueError
        return value.quantize(Decimal("0.01"))
    except (ValueError, ArithmeticError) as exc:
        hint = {"time": "HH:MM", "int": "0, 1, 2…", "money": "0.00"}[defn.kind]
        raise DomainError(_l("格式不正确，应为 %(hint)s", hint=hint), field=defn.key) from exc


def get(key: str):
    defn = BY_KEY[key]
    stored = _stored()
    return parse(defn, stored.get(key, defn.default))


_CACHE = "company_settings"


def _stored() -> dict[str, str]:
    """Every stored value, read in one statement once per transaction. A page asks for many settings (the
    attendance rules alone for nine) and most keys keep their default, so a lookup per key asked the
    database each time. Kept in the session (one request, one job), never in the process: a change made
    by another worker is read by the next transaction. Any flush, commit or rollback forgets it."""
    session = db.session()
    if any(isinstance(o, Setting) for o in (*session.new, *session.dirty, *session.deleted)):
        return {s.key: s.value for s in db.session.scalars(db.select(Setting))}  # autoflushed first
    if _CACHE not in session.info:
        session.info[_CACHE] = {s.key: s.value for s in db.session.scalars(db.select(Setting))}
    return session.info[_CACHE]


def _forget(session, *args) -> None:
    session.info.pop(_CACHE, None)


for _name in ("after_flush", "after_commit", "after_soft_rollback"):
    event.listen(Session, _name, _forget)


def raw_values() -> dict[str, str]:
    stored = {s.key: s.value for s in db.session.scalars(db.select(Setting))}
    return {d.key: stored.get(d.key, d.default) for d in DEFINITIONS}


def update(actor, values: dict[str, str]) -> list[str]:
    """Validate every value first, then store the changed ones; audited. Returns changed keys."""
    errors = {}
    for key, raw in values.items():
        try:
            parse(BY_KEY[key], raw)
        except DomainError as exc:
            errors[key] = exc
    if errors:
        first = next(iter(errors.values()))
        first.errors = errors
        raise first
    current = raw_values()
    changed = [k for k, v in values.items() if v.strip() != current[k]]
    for key in changed:
        row = db.session.get(Setting, key) or Setting(key=key)
        row.value = values[key].strip()
        db.session.add(row)
        audit.record(actor, "setting.update", object_type="Setting", before={key: current[key]},
                     after={key: row.value})
    db.session.flush()
    return changed
