from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..models.approvals import LINE_MANAGER, ROLE, SECOND_LINE
from ..models.people import ROLE_LABELS, ROLES
from ..services.approvals import APPROVER_ROLES
from ..web.money_input import MoneyField


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class DecisionForm(FlaskForm):
    """One decision; step_index/round are what the decider saw (a stale page gets "已被他人处理")."""

    class Meta:
        csrf = False  # CSRFProtect checks every POST (form field or X-CSRFToken header)

    action = SelectField(choices=[SelectChoice("approve", _l("通过")), SelectChoice("return", _l("退回修改")),
                                  SelectChoice("reject", _l("驳回"))],
                         validators=[InputRequired(_l("请选择审批操作"))])
    comment = TextAreaField(_l("审批意见"), validators=[Optional(), Length(max=2000)])
    step_index = HiddenField(filters=[_int_or_none])
    round = HiddenField(filters=[_int_or_none])
    view = HiddenField(default="row")
    next = HiddenField()


class StepForm(Form):
    name = StringField(_l("步骤名称"), validators=[InputRequired(_l("请填写步骤名称")), Length(max=60)])
    approver_kind = SelectField(_l("审批人"), choices=[
        SelectChoice(ROLE, _l("按角色")), SelectChoice(LINE_MANAGER, _l("直属上级")),
        SelectChoice(SECOND_LINE, _l("上级的上级"))])
    # Only roles that may approve: a rep never approves another rep's documents.
    role = SelectField(_l("角色"), choices=[SelectChoice("", "—")] + [SelectChoice(r, ROLE_LABELS[r]) for r in ROLES
                                                                        if r in APPROVER_ROLES])
    min_amount = MoneyField(_l("金额起点"), allow_zero=True)
    reviewers = SelectField(_l("复核人数"), coerce=int, choices=[
        SelectChoice(1, _l("1 人")), SelectChoice(2, _l("2 人（双人复核）"))])

    def validate_role(self, field):
        if self.approver_kind.data == ROLE and not field.data:
            raise ValidationError(_l("按角色审批的步骤必须选择角色"))


class RouteForm(FlaskForm):
    steps = FieldList(FormField(StepForm), min_entries=1, max_entries=12)


class DelegationForm(FlaskForm):
    delegate = SelectField(_l("代理人"), coerce=_int_or_none, validators=[DataRequired(_l("请选择代理人"))])
    starts_on = DateField(_l("开始日期"), validators=[DataRequired(_l("请填写开始日期"))])
    ends_on = DateField(_l("结束日期"), validators=[DataRequired(_l("请填写结束日期"))])
    note = StringField(_l("说明"), validators=[Optional(), Length(max=200)])


class ReassignForm(FlaskForm):
    """The manager hands a stuck step to one person (choices: who may take it, set per document)."""

    class Meta:
        csrf = False  # CSRFProtect checks every POST (form field or X-CSRFToken header)

    # DataRequired, not InputRequired: the empty first option (and anything unreadable) coerces to None.
    user = SelectField(_l("改派给"), coerce=_int_or_none, validators=[DataRequired(_l("请选择改派给谁"))])
    comment = StringField(_l("说明"), validators=[Optional(), Length(max=200)])
