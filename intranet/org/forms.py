from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..models.people import ROLE_LABELS, ROLES
from ..web.money_input import MoneyField

# Syntax only: WTForms' Email() needs the email_validator package, which also rejects LAN mail
# domains such as "corp.local" — exactly what an intranet's users may have.
LAN_EMAIL = Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("邮箱格式不正确"))


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请填写用户名")), Length(max=40)])
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名")), Length(max=60)])
    email = EmailField(_l("邮箱"), validators=[DataRequired(_l("请填写邮箱")), LAN_EMAIL])
    role = SelectField(_l("角色"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])
    reports_to = SelectField(_l("直属上级"), coerce=int, validators=[Optional()])
    team = SelectField(_l("团队"), coerce=int, validators=[Optional()])
    region = SelectField(_l("区域"), coerce=int, validators=[Optional()])
    password = PasswordField(_l("初始密码"), validators=[Optional(), Length(min=8, message=_l("密码至少 8 位"))])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码")), Length(min=8, message=_l("密码至少 8 位"))])


class HandoverForm(FlaskForm):
    successor = SelectField(_l("交接给"), coerce=int, validators=[Optional()])
    override_reason = StringField(_l("借款未结清仍停用的原因"), validators=[Optional(), Length(max=200)])


class ActiveForm(FlaskForm):
    active = BooleanField()


class ProductForm(FlaskForm):
    code = StringField(_l("编码"), validators=[DataRequired(_l("请填写编码")), Length(max=40)])
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称")), Length(max=120)])
    spec = StringField(_l("型号/规格"), validators=[Optional(), Length(max=120)])
    unit = StringField(_l("单位"), validators=[DataRequired(_l("请填写单位")), Length(max=20)])
    list_price = MoneyField(_l("标准价"), validators=[DataRequired(_l("请填写标准价"))], allow_zero=True)
    active = BooleanField(_l("在售"), default=True)


class TeamForm(FlaskForm):
    name = StringField(_l("团队名称"), validators=[DataRequired(_l("请填写名称")), Length(max=60)], id="team-name")
    supervisor = SelectField(_l("主管"), coerce=lambda v: int(v) if str(v).isdigit() else None,
                             validators=[Optional()])


class RegionForm(FlaskForm):
    name = StringField(_l("区域名称"), validators=[DataRequired(_l("请填写名称")), Length(max=60)], id="region-name")
