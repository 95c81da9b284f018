from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..models.enquiries import LEAD_SOURCES
from ..services.customers import LEAD_SOURCE_LABELS


class EnquiryForm(FlaskForm):
    source = SelectField(_l("信息来源"), choices=[SelectChoice(k, LEAD_SOURCE_LABELS[k]) for k in LEAD_SOURCES])
    company = StringField(_l("单位名称"), validators=[Optional(), Length(max=120)])
    contact_name = StringField(_l("咨询人"), validators=[DataRequired(_l("请填写咨询人")), Length(max=60)])
    phone = StringField(_l("电话"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("邮箱"), validators=[Optional(), Length(max=120)])
    region = SelectField(_l("所在区域"), coerce=int, validators=[Optional()])
    content = TextAreaField(_l("咨询内容"), validators=[DataRequired(_l("请填写咨询内容")), Length(max=4000)])


class ConvertForm(FlaskForm):
    name = StringField(_l("客户名称"), validators=[Optional(), Length(max=120)])
    owner = SelectField(_l("负责人"), coerce=int, validators=[Optional()])


class CloseForm(FlaskForm):
    outcome = TextAreaField(_l("关闭原因"), validators=[DataRequired(_l("请填写关闭原因")), Length(max=2000)])


class TakeForm(FlaskForm):
    pass
