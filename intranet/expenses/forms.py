from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, FieldList, Form, FormField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..clock import today_local
from ..services.expenses import CATEGORY_LABELS
from ..web.money_input import MoneyField

LINE_ROWS = 3


class ClaimLineForm(Form):
    """One row of the claim; a row left completely empty is ignored."""

    category = SelectField(_l("类别"), choices=[SelectChoice("", "—")] + [
        SelectChoice(k, v) for k, v in CATEGORY_LABELS.items()], validators=[Optional()])
    spent_on = DateField(_l("日期"), validators=[Optional()])
    amount = MoneyField(_l("金额（元）"), validators=[Optional()])
    description = StringField(_l("说明"), validators=[Optional(), Length(max=200)])
    # "v<id>" a visit report, "t<id>" a trip (choices: the claimant's own; the service checks the id)
    outing = SelectField(_l("关联拜访/出差"), choices=[SelectChoice("", "—")], validate_choice=False,
                         validators=[Optional()])

    def is_blank(self) -> bool:
        return not (self.category.data or self.amount.data or (self.description.data or "").strip())


class ClaimForm(FlaskForm):
    title = StringField(_l("报销事由"), validators=[DataRequired(_l("请填写报销事由")), Length(max=120)])
    promotion_id = SelectField(_l("关联促销活动（可选）"), coerce=int, validators=[Optional()])
    lines = FieldList(FormField(ClaimLineForm), min_entries=LINE_ROWS, max_entries=30)
    receipts = MultipleFileField(_l("票据（发票/收据的照片或 PDF，可多选）"), id="receipt-files")


class ReceiptForm(FlaskForm):
    receipts = MultipleFileField(_l("票据"), id="receipt-files")


class PayForm(FlaskForm):
    method = RadioField(_l("支付方式"), choices=[SelectChoice("petty_cash", _l("从备用金支付")),
                                                     SelectChoice("offset", _l("冲销借款（余额从备用金支付）"))],
                        default="petty_cash", validators=[DataRequired(_l("请选择支付方式"))])
    paid_on = DateField(_l("支付日期"), default=today_local, validators=[Optional()])


class AdvanceForm(FlaskForm):
    amount = MoneyField(_l("借款金额（元）"), validators=[DataRequired(_l("请填写金额"))])
    purpose = StringField(_l("借款用途"), validators=[DataRequired(_l("请填写借款用途")), Length(max=200)])
    trip_start = DateField(_l("出差开始"), validators=[DataRequired(_l("请填写日期"))])
    trip_end = DateField(_l("出差结束"), validators=[DataRequired(_l("请填写日期"))])


class AdvanceReturnForm(FlaskForm):
    amount = MoneyField(_l("归还金额（元）"), validators=[DataRequired(_l("请填写金额"))])


class PromotionLineForm(Form):
    item = StringField(_l("项目"), validators=[Optional(), Length(max=120)])
    amount = MoneyField(_l("金额（元）"), validators=[Optional()])
    description = StringField(_l("说明"), validators=[Optional(), Length(max=200)])

    def is_blank(self) -> bool:
        return not ((self.item.data or "").strip() or self.amount.data or (self.description.data or "").strip())


class PromotionForm(FlaskForm):
    activity = StringField(_l("活动名称"), validators=[DataRequired(_l("请填写活动名称")), Length(max=120)])
    location = StringField(_l("地点/客户"), validators=[Optional(), Length(max=120)])
    starts_on = DateField(_l("开始日期"), validators=[DataRequired(_l("请填写日期"))])
    ends_on = DateField(_l("结束日期"), validators=[DataRequired(_l("请填写日期"))])
    plan = TextAreaField(_l("活动方案"), validators=[Optional()])
    lines = FieldList(FormField(PromotionLineForm), min_entries=LINE_ROWS, max_entries=30)


class WriteoffForm(FlaskForm):
    lines = FieldList(FormField(PromotionLineForm), min_entries=LINE_ROWS, max_entries=30)
    note = TextAreaField(_l("核销说明"), validators=[Optional()])
    receipts = MultipleFileField(_l("票据（可多选）"), id="receipt-files")


class BudgetForm(FlaskForm):
    """The director sets a month's budget for the department, a region or a person (one category or all)."""

    period = StringField(_l("月份"), validators=[DataRequired(_l("请填写月份（如 2026-11）")), Length(max=7)])
    target = SelectField(_l("预算范围"), validate_choice=False, validators=[DataRequired(_l("请选择预算范围"))])
    category = SelectField(_l("费用类别"), choices=[SelectChoice("all", _l("全部类别"))] + [
        SelectChoice(k, v) for k, v in CATEGORY_LABELS.items()], validators=[DataRequired(_l("请选择费用类别"))])
    amount = MoneyField(_l("预算金额（元）"), allow_zero=True, validators=[DataRequired(_l("请填写预算金额"))])
