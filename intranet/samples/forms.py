"""Forms of the sample pages: they carry what people typed; the rules (and the messages next to the
fields) live in services/samples.py and services/mailings.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..models.samples import CATEGORIES, METHODS
from ..services.mailings import METHOD_LABELS
from ..services.samples import CATEGORY_LABELS
from ..web.money_input import MoneyField


def int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ItemForm(FlaskForm):
    code = StringField(_l("编码"))
    name = StringField(_l("名称"))
    category = SelectField(_l("类别"), choices=[SelectChoice("", "—")] + [SelectChoice(c, CATEGORY_LABELS[c])
                                                                        for c in CATEGORIES], validate_choice=False)
    spec = StringField(_l("型号/规格"))
    unit = StringField(_l("单位"))
    batch = StringField(_l("批号"))
    location = StringField(_l("库位"))
    unit_cost = MoneyField(_l("单位成本"), allow_zero=True)
    low_stock = StringField(_l("库存预警线"))
    active = BooleanField(_l("在用"), default=True)


class ReceiptForm(FlaskForm):
    item_id = SelectField(_l("物料"), coerce=int_or_none, validate_choice=False)
    quantity = StringField(_l("入库数量"))
    batch = StringField(_l("批号"))
    note = StringField(_l("备注（来源、供应商）"))


class RequestForm(FlaskForm):
    """The lines come as lines-<n>-item_id / lines-<n>-quantity (read by the view)."""

    customer_id = SelectField(_l("客户"), coerce=int_or_none, validate_choice=False)
    planned_visit_id = SelectField(_l("拜访计划"), coerce=int_or_none, validate_choice=False)
    purpose = TextAreaField(_l("用途"))


class QuantitiesForm(FlaskForm):
    """Issue / return: one quantity per request line comes as line_<id> (read by the view)."""

    note = StringField(_l("备注"))


class NoteForm(FlaskForm):
    note = StringField(_l("原因"))


class MailingForm(FlaskForm):
    request_id = SelectField(_l("领用申请"), coerce=int_or_none, validate_choice=False)
    customer_id = SelectField(_l("客户"), coerce=int_or_none, validate_choice=False)
    contents = StringField(_l("寄件内容"))
    method = SelectField(_l("寄送方式"), choices=[SelectChoice("", "—")] + [SelectChoice(m, METHOD_LABELS[m])
                                                                          for m in METHODS], validate_choice=False)
    carrier = StringField(_l("承运公司"), render_kw={"list": "carrier-list"})  # offers the partner register
    tracking_no = StringField(_l("运单号"))
    sent_on = DateField(_l("寄出日期"), validators=[Optional()])
    cost = MoneyField(_l("费用"), allow_zero=True)
    pay_from_petty_cash = BooleanField(_l("从备用金支付"))
    recipient = StringField(_l("收件人"))
    phone = StringField(_l("联系电话"))
    address = StringField(_l("收件地址"))


class DayForm(FlaskForm):
    on = DateField(_l("日期"), validators=[Optional()])
