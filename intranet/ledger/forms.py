from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..services import ledger
from ..web.money_input import MoneyField


class RecordForm(FlaskForm):
    kind = SelectField(_l("类型"), choices=[SelectChoice(k, ledger.KIND_LABELS[k]) for k in ledger.MANUAL_KINDS])
    amount = MoneyField(_l("金额（元）"), validators=[DataRequired(_l("请填写金额"))])
    category = SelectField(_l("费用类别（支出时必选）"), choices=[SelectChoice("", "—")] + [
        SelectChoice(k, v) for k, v in ledger.CATEGORY_LABELS.items()], validators=[Optional()])
    memo = StringField(_l("摘要"), validators=[Optional(), Length(max=200)])
    entry_date = DateField(_l("日期"), validators=[DataRequired(_l("请填写日期"))])
    receipts = MultipleFileField(_l("票据（图片或 PDF，可多选）"))


class ReverseForm(FlaskForm):
    memo = StringField(_l("冲正原因"), validators=[DataRequired(_l("请填写冲正原因")), Length(max=200)])


class ReceiptForm(FlaskForm):
    receipts = MultipleFileField(_l("票据"))


class SettlementForm(FlaskForm):
    account_id = HiddenField()
    period = StringField(_l("结算月份"), validators=[DataRequired(_l("请选择月份"))])


class SendBackForm(FlaskForm):
    comment = StringField(_l("退回原因"), validators=[DataRequired(_l("请填写退回原因")), Length(max=200)])
