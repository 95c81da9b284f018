from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..models.visits import PURPOSES
from ..web.money_input import MoneyField


class PlanForm(FlaskForm):
    month = StringField(_l("计划月份"), validators=[DataRequired(_l("请填写月份"))])


class RowForm(FlaskForm):
    customer = SelectField(_l("客户"), coerce=int, validate_choice=False)  # the service checks the scope
    date = DateField(_l("计划日期"), validators=[DataRequired(_l("请填写日期"))])
    hours = DecimalField(_l("停留时数"), places=1, default=1, validators=[DataRequired(_l("请填写停留时数"))])
    purpose = SelectField(_l("拜访目的"), choices=[SelectChoice(p, p) for p in PURPOSES])
    items = StringField(_l("携带物品"), validators=[Optional(), Length(max=200)])
    expected_cost = MoneyField(_l("预计费用"), allow_zero=True, default="0.00")


class FollowUpForm(Form):
    action = StringField(_l("后续事项"), validators=[Optional(), Length(max=200)])
    due_on = DateField(_l("完成日期"), validators=[Optional()])


class ReportForm(FlaskForm):
    customer = SelectField(_l("客户"), coerce=int, validate_choice=False, validators=[Optional()])
    visit_date = DateField(_l("拜访日期"), validators=[Optional()])
    outcome = TextAreaField(_l("拜访结果"), validators=[DataRequired(_l("请填写拜访结果"))])
    promises = TextAreaField(_l("答应客户的事项"), validators=[Optional()])
    follow_ups = FieldList(FormField(FollowUpForm), min_entries=3, max_entries=10)


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("审阅意见"), validators=[Optional()])


class FollowUpDoneForm(FlaskForm):
    note = TextAreaField(_l("完成情况"), validators=[DataRequired(_l("请填写完成情况")), Length(max=2000)])
