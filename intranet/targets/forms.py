"""Forms of the target and plan pages: they carry what people typed; the rules live in services/targets.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from ..web.money_input import MoneyField


def int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class TargetForm(FlaskForm):
    year = StringField(_l("年度"))
    amount = MoneyField(_l("部门年度目标（元）"))
    note = StringField(_l("说明"))


class AmountForm(FlaskForm):
    """The breakdown grid comes as cell-<rep id>-<month> (read by the view)."""

    amount = MoneyField(_l("部门年度目标（元）"))


class PlanForm(FlaskForm):
    year = StringField(_l("年度"))
    month = SelectField(_l("期间"), coerce=int_or_none, validate_choice=False)


class PlanLineForm(FlaskForm):
    customer_id = SelectField(_l("客户"), coerce=int_or_none, validate_choice=False)
    product_id = SelectField(_l("产品"), coerce=int_or_none, validate_choice=False)
    quantity = StringField(_l("数量"))
    amount = MoneyField(_l("计划金额（元）"))
    note = StringField(_l("备注"))


class ForecastForm(FlaskForm):
    region_id = SelectField(_l("区域"), coerce=int_or_none, validate_choice=False)
    period = StringField(_l("期间（月 2026-12、季 2026-Q4 或年 2026）"))
    amount = MoneyField(_l("预测销售额（元）"), allow_zero=True)
    note = StringField(_l("说明"))
