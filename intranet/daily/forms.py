"""Forms of the daily pages: they carry what people typed; the rules live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..models.daily import REPORT_KINDS
from ..services.daily_report import KIND_LABELS, REPORT_SUBSCRIPTIONS


class SheetForm(FlaskForm):
    calls = StringField(_l("电话拜访（个）"), default="0")
    orders_amount = StringField(_l("订单金额"), default="0.00")
    payments_amount = StringField(_l("回款金额"), default="0.00")
    orders_note = TextAreaField(_l("订单情况"))
    opinions = TextAreaField(_l("客户意见"))
    problems = TextAreaField(_l("存在问题"))
    tomorrow = TextAreaField(_l("明日计划"))


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("主管批注"))


class NoteForm(FlaskForm):
    note = TextAreaField(_l("说明（随日报发送）"))


class SubscriptionForm(FlaskForm):
    kind = SelectField(_l("报表"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in REPORT_KINDS]
                       + [SelectChoice(k, v) for k, v in REPORT_SUBSCRIPTIONS.items()], validate_choice=False)
    address = StringField(_l("邮箱"))
    label = StringField(_l("称呼（如：财务归档）"))


class EmptyForm(FlaskForm):
    pass
