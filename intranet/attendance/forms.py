"""Forms of the attendance pages: they parse what people typed; the rules live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..models.attendance import LEAVE_KINDS
from ..services.leave import KIND_LABELS
from ..services.violations import RULES
from ..web.money_input import MoneyField


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CheckInForm(FlaskForm):
    visit_id = SelectField(_l("外勤拜访"), coerce=_int_or_none, validate_choice=False)
    source = StringField()


class LeaveForm(FlaskForm):
    kind = SelectField(_l("请假类型"), choices=[SelectChoice("", _l("请选择"))] + [SelectChoice(k, KIND_LABELS[k]) for k in LEAVE_KINDS],
                       validate_choice=False)
    start_day = DateField(_l("开始日期"), validators=[Optional()])
    start_pm = BooleanField(_l("从下午开始（半天）"))
    end_day = DateField(_l("结束日期"), validators=[Optional()])
    end_am = BooleanField(_l("到上午结束（半天）"))
    reason = TextAreaField(_l("事由"), validators=[Length(max=500)])

    def fields_dict(self) -> dict:
        return {k: getattr(self, k).data for k in ("kind", "start_day", "start_pm", "end_day", "end_am", "reason")}


class TripForm(FlaskForm):
    destination = StringField(_l("出差地点"), validators=[Length(max=120)])
    start_day = DateField(_l("开始日期"), validators=[Optional()])
    end_day = DateField(_l("结束日期"), validators=[Optional()])
    purpose = TextAreaField(_l("出差事由"), validators=[Length(max=1000)])
    customers = TextAreaField(_l("拟拜访客户"), validators=[Length(max=1000)])
    estimated_cost = MoneyField(_l("预计费用"), allow_zero=True)
    advance_needed = MoneyField(_l("需借款"), allow_zero=True)

    def fields_dict(self) -> dict:
        data = {k: getattr(self, k).data for k in ("destination", "start_day", "end_day", "purpose", "customers")}
        data["estimated_cost"] = self.estimated_cost.amount
        data["advance_needed"] = self.advance_needed.amount
        return data


class TripLinkForm(FlaskForm):
    doc = StringField(_l("单据"))


class CorrectionForm(FlaskForm):
    user_id = SelectField(_l("人员"), coerce=_int_or_none, validate_choice=False)
    day = DateField(_l("日期"), validators=[Optional()])
    check_in = TimeField(_l("签到时间"), validators=[Optional()])
    check_out = TimeField(_l("签退时间"), validators=[Optional()])
    reason = TextAreaField(_l("补卡原因"), validators=[Length(max=500)])


class OverrideForm(FlaskForm):
    day = DateField(_l("日期"), validators=[Optional()])
    kind = SelectField(_l("调整"), choices=[SelectChoice("off", _l("公司休息日")), SelectChoice("work", _l("公司加班工作日")),
                                            SelectChoice("", _l("取消调整"))], validate_choice=False)
    note = StringField(_l("说明"), validators=[Length(max=120)])


class MeetingForm(FlaskForm):
    day = DateField(_l("日期"), validators=[DataRequired(message=_l("请填写日期"))])
    targets = TextAreaField(_l("宣布的目标"), validators=[Length(max=2000)])
    problems = TextAreaField(_l("提出的问题"), validators=[Length(max=2000)])


class MonthForm(FlaskForm):
    month = StringField(_l("月份"))
    reason = TextAreaField(_l("原因"), validators=[Length(max=500)])


class ViolationForm(FlaskForm):
    user_id = SelectField(_l("人员"), coerce=_int_or_none, validate_choice=False)
    rule = SelectField(_l("条款"), choices=[SelectChoice("", _l("请选择"))] + [SelectChoice(r.code, r.label) for r in RULES],
                       validate_choice=False)
    amount = MoneyField(_l("金额（自定条款）"))
    day = DateField(_l("发生日期"), validators=[Optional()])
    evidence = TextAreaField(_l("事实与证据"), validators=[Length(max=2000)])

    def fields_dict(self) -> dict:
        return {"rule": self.rule.data, "amount": self.amount.amount, "day": self.day.data,
                "evidence": self.evidence.data}


class QuotaForm(FlaskForm):
    year = IntegerField(_l("年度"), validators=[DataRequired(message=_l("请填写年度")), NumberRange(2000, 2100)])
    days = DecimalField(_l("年假天数"), places=1, validators=[DataRequired(message=_l("请填写天数"))])
