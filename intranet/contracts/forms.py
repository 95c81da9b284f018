"""Forms of the quotation and contract pages: they carry what people typed; the rules (and the messages
next to the fields) live in services/contracts.py. The lines come as lines-<n>-product_id / -quantity /
-unit_price (read by the view, as on the order form)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..models.contracts import KINDS
from ..services.contracts import KIND_LABELS


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
