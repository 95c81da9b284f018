"""Forms of the report center."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from ..services.reports import KINDS


class RequestForm(FlaskForm):
    kind = SelectField(_l("报表"), choices=[SelectChoice(k, v) for k, v in KINDS.items()], validate_choice=False)
    period = StringField(_l("期间（月份如 2026-10，或周如 2026-W46）"))
    scope = SelectField(_l("范围"), validate_choice=False)


class EmptyForm(FlaskForm):
    pass
