"""Forms of the quotation and contract pages: they carry what people typed; the rules (and the messages
next to the fields) live in services/contracts.py. The lines come as lines-<n>-product_id / -quantity /
-unit_price (read by the view, as on the order form)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..models.contracts import BALANCE_RULES, KINDS
from ..models.customers import KINDS as CUSTOMER_KINDS
from ..services.contracts import KIND_LABELS
from ..services.customers import KIND_LABELS as CUSTOMER_KIND_LABELS
from ..services.payment_terms import ALL_CLASSES, ALL_CLASSES_LABEL, BALANCE_LABELS


def int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class QuotationForm(FlaskForm):
    customer_id = SelectField(_l("客户"), coerce=int_or_none, validate_choice=False)
    valid_until = DateField(_l("报价有效期至"), validators=[Optional()])
    terms = TextAreaField(_l("报价条款（付款、交货、质保等）"))


class ContractForm(FlaskForm):
    kind = SelectField(_l("合同类型"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in KINDS],
                       validate_choice=False)
    customer_id = SelectField(_l("客户"), coerce=int_or_none, validate_choice=False)
    payment_terms = TextAreaField(_l("付款条件（如签订时付定金、验收后付余款）"))
    delivery_terms = TextAreaField(_l("交货条件"))
    special_clauses = TextAreaField(_l("特殊条款（填写后需销售总监评审）"))


class ConvertForm(FlaskForm):
    kind = SelectField(_l("合同类型"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in KINDS],
                       validate_choice=False)


class SignForm(FlaskForm):
    signed_on = DateField(_l("签订日期"), validators=[Optional()])


class ScanForm(FlaskForm):
    scan = FileField(_l("合同签字盖章扫描件（JPG、PNG 或 PDF）"))


class ChangeForm(FlaskForm):
    change = FileField(_l("合同变更文件（JPG、PNG 或 PDF）"))
    note = StringField(_l("变更说明"))


class ButtonForm(FlaskForm):
    """The CSRF token of a one-button form (submit, mark sent, confirm original)."""


class PaymentRuleForm(FlaskForm):
    """A payment-terms rule (付款条件规则); the service checks the numbers and says what is wrong."""

    customer_kind = SelectField(_l("客户类别"), choices=[SelectChoice(ALL_CLASSES, ALL_CLASSES_LABEL)] + [
        SelectChoice(k, CUSTOMER_KIND_LABELS[k]) for k in CUSTOMER_KINDS], validate_choice=False)
    min_amount = StringField(_l("合同金额起点（含，元）"), default="0.00")
    deposit_percent = StringField(_l("签订时定金比例（%）"), default="0")
    balance_rule = SelectField(_l("余款支付"), choices=[SelectChoice(r, BALANCE_LABELS[r]) for r in BALANCE_RULES],
                               validate_choice=False)
    balance_days = StringField(_l("余款期限（天，款到发货不填）"), default="0")
    note = StringField(_l("附加说明（写在付款条件之后，可不填）"))
    active = BooleanField(_l("启用"), default=True)
