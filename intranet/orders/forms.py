"""Forms of the order pages: they carry what people typed; the rules (and the messages next to the
fields) live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..models.orders import DELIVERY_METHODS, PAY_TYPES
from ..services.invoices import MAIL_METHODS
from ..services.orders import METHOD_LABELS
from ..services.payments import PAY_TYPE_LABELS
from ..web.money_input import MoneyField


def int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _methods():
    return [SelectChoice("", "—")] + [SelectChoice(m, METHOD_LABELS[m]) for m in DELIVERY_METHODS]


class OrderForm(FlaskForm):
    """The lines come as lines-<n>-product_id / -quantity / -unit_price (read by the view)."""

    customer_id = SelectField(_l("客户"), coerce=int_or_none, validate_choice=False)
    contract_id = SelectField(_l("合同（可选）"), coerce=int_or_none, validate_choice=False)
    delivery_method = SelectField(_l("发货方式"), choices=_methods(), validate_choice=False)
    wanted_on = DateField(_l("要求到货日期"), validators=[Optional()])
    consignee = StringField(_l("收货人"))
    phone = StringField(_l("联系电话"))
    address = StringField(_l("详细地址"))
    note = TextAreaField(_l("备注"))
    promised_on = DateField(_l("承诺发货日期（缺货时）"), validators=[Optional()])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("书面理由"))


class EnterForm(FlaskForm):
    payment_id = SelectField(_l("到账款项"), coerce=int_or_none, validate_choice=False)


class PromiseForm(FlaskForm):
    promised_on = DateField(_l("承诺发货日期"), validators=[Optional()])


class ShipmentForm(FlaskForm):
    """One quantity per order line comes as line_<id> (read by the view)."""

    carrier = StringField(_l("承运公司"), render_kw={"list": "carrier-list"})  # offers the partner register
    method = SelectField(_l("发货方式"), choices=_methods(), validate_choice=False)
    waybill = StringField(_l("运单号"))
    pieces = StringField(_l("件数"))
    tracking_phone = StringField(_l("查询电话"))
    promised_on = DateField(_l("预计到货日期"), validators=[Optional()])
    extras = StringField(_l("随货物品（样品、礼品、政策资料）"))


class NoticeForm(FlaskForm):
    to_addr = StringField(_l("客户邮箱"))


class InvoiceForm(FlaskForm):
    """Per order line: qty_<id> and price_<id> (read by the view)."""

    invoice_no = StringField(_l("发票号码"))
    content = StringField(_l("开票内容"))
    recipient = StringField(_l("收件人"))
    mail_method = SelectField(_l("寄送方式"), choices=[SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in
                                                                               MAIL_METHODS.items()],
                              validate_choice=False)
    tracking_no = StringField(_l("快递单号"))
    note = StringField(_l("备注"))


class PaymentForm(FlaskForm):
    customer_id = SelectField(_l("客户"), coerce=int_or_none, validate_choice=False)
    pay_type = SelectField(_l("付款方式"), choices=[SelectChoice("", "—")] + [SelectChoice(p, PAY_TYPE_LABELS[p])
                                                                           for p in PAY_TYPES],
                           validate_choice=False)
    bank = StringField(_l("付款银行"))
    amount = MoneyField(_l("金额"))
    paid_on = DateField(_l("付款日期"), validators=[Optional()])
    slip = FileField(_l("汇款凭证"))


class DecideForm(FlaskForm):
    comment = StringField(_l("说明"))


class ReceiveForm(FlaskForm):
    product_id = SelectField(_l("产品"), coerce=int_or_none, validate_choice=False)
    quantity = StringField(_l("入库数量"))
    batch = StringField(_l("批号"))
    packaging = StringField(_l("包装"))
    reference = StringField(_l("入库单号"))
    note = StringField(_l("备注"))


class CountForm(FlaskForm):
    """Per product: count_<id> (counted) and reason_<id> (the difference explained), read by the view."""

    kind = SelectField(_l("盘点类型"), choices=[SelectChoice("weekly", _l("每周盘点")),
                                              SelectChoice("month_end", _l("月末盘点（与财务）"))],
                       validate_choice=False)


class ScanForm(FlaskForm):
    scan = FileField(_l("证照扫描件（JPG、PNG 或 PDF）"))


class CertificateCheckForm(FlaskForm):
    checked_where = StringField(_l("查验途径（如国家企业信用信息公示系统、药监局网站、原件核对）"))
    result = SelectField(_l("查验结果"), choices=[SelectChoice("valid", _l("真实有效")),
                                                 SelectChoice("invalid", _l("不符或无效"))], validate_choice=False)
    note = StringField(_l("备注"))
