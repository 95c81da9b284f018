"""Forms of the returns pages: they parse what people typed; the rules live in services/returns.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from ..models.returns import REASONS, REFUND_KINDS
from ..services.returns import REASON_LABELS, REFUND_KIND_LABELS, LineInput
from ..services.text_rules import whole_number
from ..web.money_input import MoneyField, parse_amount
from ..web.pickers import pinyin_choices


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse_quantity(text) -> int:
    cleaned = (text or "").strip().replace(",", "")
    if not cleaned:
        raise ValueError(_l("请填写数量"))
    number = whole_number(cleaned)
    if number is None or number <= 0:
        raise ValueError(_l("数量必须是正整数"))
    if number > 1_000_000:
        raise ValueError(_l("数量过大"))
    return number


class LineForm(Form):
    """One product line. A row left completely empty is ignored (that is how a row is removed without JS)."""

    product_id = SelectField(_l("产品"), coerce=_int_or_none, validate_choice=False)
    quantity = StringField(_l("数量"))
    unit_price = StringField(_l("单价"))

    def is_blank(self) -> bool:
        return not self.product_id.data and not (self.quantity.data or "").strip() and not (
            self.unit_price.data or "").strip()

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        self.parsed = None
        if self.is_blank():
            return True
        ok = True
        if not self.product_id.data:
            self.product_id.errors = [_l("请选择产品")]
            ok = False
        try:
            qty = parse_quantity(self.quantity.data)
        except ValueError as exc:
            self.quantity.errors = [exc.args[0]]
            ok = False
        try:
            price = parse_amount(self.unit_price.data)
        except ValueError as exc:
            self.unit_price.errors = [exc.args[0]]
            ok = False
        if ok:
            self.parsed = LineInput(self.product_id.data, qty, price)
        return ok


class ReturnForm(FlaskForm):
    customer_name = StringField(_l("客户名称"), validators=[Length(max=120)], render_kw={"list": "own-customers"})
    order_ref = StringField(_l("原订单号/发货单号"), validators=[Length(max=60)])
    reason = SelectField(_l("退货原因"), choices=[SelectChoice("", "—")] + [
        SelectChoice(r, REASON_LABELS[r]) for r in REASONS], validate_choice=False)
    reason_detail = TextAreaField(_l("原因说明"), validators=[Optional()])
    justification = TextAreaField(_l("特殊理由（非质量问题必填）"), validators=[Optional()])
    cost_split = TextAreaField(_l("费用分担（运费等由谁承担）"), validators=[Optional()])
    lines = FieldList(FormField(LineForm), min_entries=1)

    def fields_dict(self) -> dict:
        return {"customer_name": self.customer_name.data or "", "order_ref": self.order_ref.data or "",
                "reason": self.reason.data, "reason_detail": self.reason_detail.data or "",
                "justification": self.justification.data or "", "cost_split": self.cost_split.data or ""}

    def line_inputs(self) -> list[LineInput]:
        return [entry.form.parsed for entry in self.lines if getattr(entry.form, "parsed", None)]

    def line_errors(self) -> dict:
        """{"lines-<i>-<field>": message} for the rows the form itself refused (format)."""
        return {f.name: f.errors[0] for entry in self.lines for f in entry.form if f.errors}

    def set_product_choices(self, products) -> None:
        choices = [SelectChoice("", "—")] + pinyin_choices(products, lambda p: f"{p.code} {p.name} {p.spec}")
        for entry in self.lines:
            entry.form.product_id.choices = choices

    def apply_errors(self, errors: dict) -> None:
        """Put the service's {field: message} next to the fields ("lines-0-quantity" included)."""
        by_name = {f.name: f for f in self if f.name != "lines"}
        by_name.update({f.name: f for entry in self.lines for f in entry.form})
        for name, message in errors.items():
            field = by_name.get(name)
            if field is not None and message not in field.errors:
                field.errors = [*field.errors, message]
            elif field is None:
                self.form_errors.append(message)


class ComplaintForm(FlaskForm):
    product_id = SelectField(_l("投诉产品"), coerce=_int_or_none, validate_choice=False)
    batch = StringField(_l("批号/出厂编号"), validators=[Optional(), Length(max=60)])
    defect = TextAreaField(_l("缺陷描述"))
    customer_demand = TextAreaField(_l("客户诉求"))
    proposed_handling = TextAreaField(_l("处理意见"))


class NotifyForm(FlaskForm):
    note = TextAreaField(_l("通知记录（方式、时间、客户回复）"))


class ShipForm(FlaskForm):
    carrier = StringField(_l("物流公司"), validators=[Length(max=60)])
    tracking_no = StringField(_l("运单号"), validators=[Optional(), Length(max=60)])
    shipped_on = DateField(_l("发货日期"), validators=[Optional()])


class ReceiveForm(FlaskForm):
    received_on = DateField(_l("入库日期"), validators=[Optional()])
    note = TextAreaField(_l("差异说明（实收与批准数量不一致时必填）"), validators=[Optional()])


class RefundForm(FlaskForm):
    kind = SelectField(_l("办理方式"), choices=[SelectChoice("", "—")] + [
        SelectChoice(k, REFUND_KIND_LABELS[k]) for k in REFUND_KINDS], validate_choice=False)
    amount = MoneyField(_l("金额"))
    on = DateField(_l("办理日期"), validators=[Optional()])
    reference = StringField(_l("凭证号/红字发票号"), validators=[Optional(), Length(max=80)])
