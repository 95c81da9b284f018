"""Forms of the receivables pages: they carry what people typed; the rules live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..models.orders import PAY_TYPES
from ..orders.forms import int_or_none
from ..services.payments import PAY_TYPE_LABELS
from ..web.money_input import MoneyField


class IncomingForm(FlaskForm):
    customer_id = SelectField(_l("客户"), coerce=int_or_none, validate_choice=False)
    payer = StringField(_l("付款单位"))
    pay_type = SelectField(_l("付款方式"), choices=[SelectChoice("", "—")] + [SelectChoice(p, PAY_TYPE_LABELS[p])
                                                                           for p in PAY_TYPES], validate_choice=False)
    bank = StringField(_l("收款银行"))
    amount = MoneyField(_l("金额"))
    received_on = DateField(_l("到账日期"), validators=[Optional()])
    note = StringField(_l("备注"))
    slip = FileField(_l("银行回单"))


class AllocateForm(FlaskForm):
    """One amount per open invoice comes as amount_<invoice id> (read by the view); the contract is one of
    the paying customer's signed contracts, or none (then each invoice's own)."""

    contract_id = SelectField(_l("合同（不选则按发票所属订单的合同）"), coerce=int_or_none, validate_choice=False)
    memo = StringField(_l("摘要"))


class ReasonForm(FlaskForm):
    memo = StringField(_l("冲销原因"))


class IssueForm(FlaskForm):
    team_id = SelectField(_l("团队"), coerce=int_or_none, validate_choice=False)


class RecordForm(FlaskForm):
    contact_person = StringField(_l("联系人"))
    result = TextAreaField(_l("联系结果（约定事项）"))
    promised_on = DateField(_l("承诺付款日期"), validators=[Optional()])
