from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..models.customers import INTERACTION_KINDS, KINDS, STAGES
from ..services.customers import INTERACTION_LABELS, KIND_LABELS, LEAD_SOURCE_LABELS, STAGE_LABELS
from ..web.money_input import MoneyField


class CustomerForm(FlaskForm):
    name = StringField(_l("客户名称"), validators=[DataRequired(_l("请填写客户名称")), Length(max=120)])
    kind = SelectField(_l("客户类型"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in KINDS])
    stage = SelectField(_l("客户阶段"), choices=[SelectChoice(k, STAGE_LABELS[k]) for k in STAGES])
    region = SelectField(_l("区域"), coerce=int, validators=[Optional()])
    lead_source = SelectField(_l("信息来源"), choices=[SelectChoice("", "—")] + [
        SelectChoice(k, v) for k, v in LEAD_SOURCE_LABELS.items()], validators=[Optional()])
    owner = SelectField(_l("负责人"), coerce=int, validators=[Optional()])
    callback_interval_days = IntegerField(_l("回访周期（天）"), default=30, validators=[
        DataRequired(_l("请填写回访周期")), NumberRange(1, 365, _l("回访周期应为 1 到 365 天"))])
    credit_limit = MoneyField(_l("信用额度"), allow_zero=True, default="0.00")
    tax_id = StringField(_l("税号"), validators=[Optional(), Length(max=40)])
    bank = StringField(_l("开户银行"), validators=[Optional(), Length(max=120)])
    account = StringField(_l("银行账号"), validators=[Optional(), Length(max=60)])
    invoice_address = StringField(_l("开票地址及电话"), validators=[Optional(), Length(max=200)])
    notes = TextAreaField(_l("备注"), validators=[Optional()])
    confirm_duplicate = BooleanField(_l("已确认不是重复客户"))


class InteractionForm(FlaskForm):
    kind = SelectField(_l("类型"), choices=[SelectChoice(k, INTERACTION_LABELS[k]) for k in INTERACTION_KINDS])
    text = TextAreaField(_l("内容"), validators=[DataRequired(_l("请填写内容"))])
    assignee = SelectField(_l("处理人（投诉）"), coerce=int, validators=[Optional()])
    deadline = DateField(_l("处理期限（投诉）"), validators=[Optional()])


class ResolveForm(FlaskForm):
    resolution = TextAreaField(_l("处理结果"), validators=[DataRequired(_l("请填写处理结果"))])


class OwnerForm(FlaskForm):
    owner = SelectField(_l("新负责人"), coerce=int)


class ContactForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写联系人姓名")), Length(max=60)], id="contact-name")
    title = StringField(_l("职务"), validators=[Optional(), Length(max=60)])
    phone = StringField(_l("电话"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("邮箱"), validators=[Optional(), Length(max=120)])
    birthday = DateField(_l("生日"), validators=[Optional()])


class CertificateForm(FlaskForm):
    name = StringField(_l("证照名称"), validators=[DataRequired(_l("请填写证照名称")), Length(max=80)])
    number = StringField(_l("证照编号"), validators=[Optional(), Length(max=80)])
    expires_on = DateField(_l("有效期至"), validators=[Optional()])


class ImportForm(FlaskForm):
    file = FileField(_l("Excel 文件（.xlsx）"))
