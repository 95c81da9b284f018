from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(max=40)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码"))])
    remember = BooleanField(_l("记住我（3天）"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码"))])
    password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码")), Length(min=8, message=_l("密码至少 8 位"))])
    confirm = PasswordField(_l("确认新密码"), validators=[EqualTo("password", _l("两次输入的密码不一致"))])


class LanguageForm(FlaskForm):
    locale = SelectField(_l("语言"), choices=[SelectChoice("zh_CN", "简体中文"), SelectChoice("en", "English")])
