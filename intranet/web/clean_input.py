"""The one place where typed and pasted input is made safe, before any view or form sees it.

Every request's query string, form fields and upload file names pass through
services.text_rules.clean_text: no NUL (PostgreSQL refuses it in text), no other control
characters (openpyxl refuses them, so one pasted Shift+Enter in a title would break every
Excel export), line breaks as "\\n"; otherwise exactly as typed.

Numbers: an <int:…> URL argument or `request.args.get(…, type=int)` beyond what the database
stores is treated as not given (404 / the default), and WTForms number fields refuse NaN,
Infinity and out-of-range values with a message next to the field. A FieldList posted with
more rows than it allows is refused with a message, never cut short.

Because this is installed on the app (request class, URL converter) and on WTForms itself,
every current and future blueprint and FlaskForm is covered without doing anything.
"""

import math
import re
from decimal import Decimal

from flask import Request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property
from wtforms import fields as wtf_fields

from ..services.text_rules import INT_MAX, clean_text

_FILENAME_BAD = re.compile(r"[\x00-\x1f\x7f\"]")


def clean_filename(value: str | None) -> str | None:
    """An upload's name as it may go into a Content-Disposition header: one line, no quotes."""
    if value is None:
        return None
    return _FILENAME_BAD.sub("", clean_text(value).replace("\n", " ")).strip()


def in_int_range(value) -> bool:
    return -INT_MAX <= value <= INT_MAX


class CleanMultiDict(ImmutableMultiDict):
    """Query and form data: `get(..., type=int)` treats an integer the database cannot hold as invalid."""

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's signature)
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and value is not default and not in_int_range(value):
            return default
        return value

    def getlist(self, key, type=None):  # noqa: A002
        values = super().getlist(key, type)
        if type is int:
            return [v for v in values if in_int_range(v)]
        return values


def _cleaned(data) -> CleanMultiDict:
    return CleanMultiDict((clean_text(k), clean_text(v)) for k, v in data.items(multi=True))


class CleanRequest(Request):
    parameter_storage_class = CleanMultiDict

    @cached_property
    def args(self):
        return _cleaned(super().args)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _cleaned(self.__dict__["form"])
        for storage in self.__dict__["files"].values():
            storage.filename = clean_filename(storage.filename)


class BoundedIntegerConverter(IntegerConverter):
    """<int:id> beyond the database's integer: no such record (404), not an overflow (500)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


# ---- WTForms: numbers and row lists --------------------------------------------------------

NUMBER_INVALID = _l("请填写有效的数字")
NUMBER_TOO_LARGE = _l("数字超出范围")
DATE_INVALID = _l("日期无效，请按 2026-11-18 的格式填写一个存在的日期")
TOO_MANY_ROWS = _l("最多 %(n)d 行，请删除多余的行")


def _checked_number(process_formdata):
    def process(self, valuelist):
        process_formdata(self, valuelist)
        value = self.data
        if isinstance(value, float | Decimal) and not (math.isfinite(value) if isinstance(value, float)
                                                       else value.is_finite()):
            self.data = None
            raise ValueError(NUMBER_INVALID)
        if isinstance(value, int | Decimal | float) and not isinstance(value, bool) and not in_int_range(value):
            self.data = None
            raise ValueError(NUMBER_TOO_LARGE)

    process.checked = True
    return process


def _field_list_process(original):
    def process(self, formdata, data=wtf_fields.core.unset_value, extra_filters=None):
        # Read every posted row: WTForms would silently drop those past max_entries.
        limit, self.max_entries = self.max_entries, None
        try:
            original(self, formdata, data, extra_filters)
        finally:
            self.max_entries = limit

    process.checked = True
    return process


def _first_field(entry):
    """The field of a row where a message about the row is shown (templates show field errors)."""
    form = getattr(entry, "form", None)
    return next(iter(form), None) if form is not None else entry


def _mark_row(entry, message: str) -> None:
    target = _first_field(entry)
    if target is not None:
        target.errors = [*target.errors, message] if isinstance(target.errors, list | tuple) else [message]


def _field_list_validate(original):
    def validate(self, form, extra_validators=()):
        ok = original(self, form, extra_validators)
        if self.max_entries and len(self.entries) > self.max_entries:
            message = str(TOO_MANY_ROWS % {"n": self.max_entries})
            self.errors.append(message)
            _mark_row(self.entries[self.max_entries], message)  # the first row too many
            return False
        return ok

    validate.checked = True
    return validate


def _field_list_append(original):
    def append_entry(self, data=wtf_fields.core.unset_value):
        # "增加一行" on a full list: say so (flash and on the last row) instead of an assertion error.
        if self.max_entries and len(self.entries) >= self.max_entries:
            from flask import flash

            message = str(TOO_MANY_ROWS % {"n": self.max_entries})
            flash(message, "error")
            _mark_row(self.entries[-1], message)
            return None
        return original(self, data)

    append_entry.checked = True
    return append_entry


def _field_validate(original):
    def validate(self, form, extra_validators=()):
        ok = original(self, form, extra_validators)
        if not ok and self.process_errors:
            # DataRequired/InputRequired drop the parse error and say "请填写日期" about a date that was
            # typed but cannot be read (2026-13-45): keep the reason it could not be read instead.
            self.errors = list(dict.fromkeys(str(e) for e in self.process_errors))
        return ok

    validate.checked = True
    return validate


def _date_formdata(process_formdata):
    def process(self, valuelist):
        if valuelist and not " ".join(valuelist).strip():
            self.data = None  # left empty: DataRequired or Optional speaks, not "invalid date"
            return
        try:
            process_formdata(self, valuelist)
        except ValueError as exc:
            raise ValueError(DATE_INVALID) from exc

    process.checked = True
    return process


def _patch(cls, name, wrapper) -> None:
    current = getattr(cls, name)
    if not getattr(current, "checked", False):
        setattr(cls, name, wrapper(current))


def harden_wtforms() -> None:
    for cls in (wtf_fields.IntegerField, wtf_fields.DecimalField, wtf_fields.FloatField):
        if "process_formdata" in cls.__dict__:
            _patch(cls, "process_formdata", _checked_number)
    _patch(wtf_fields.Field, "validate", _field_validate)
    for cls in (wtf_fields.DateField, wtf_fields.DateTimeField, wtf_fields.DateTimeLocalField):
        if "process_formdata" in cls.__dict__:
            _patch(cls, "process_formdata", _date_formdata)
    _patch(wtf_fields.FieldList, "process", _field_list_process)
    _patch(wtf_fields.FieldList, "validate", _field_list_validate)
    _patch(wtf_fields.FieldList, "append_entry", _field_list_append)


def install(app) -> None:
    """Before the blueprints: the URL rules pick the converter up when they are added."""
    from ..services import text_rules  # noqa: F401  (registers the column-length check on every flush)

    app.request_class = CleanRequest
    app.url_map.converters["int"] = BoundedIntegerConverter
    harden_wtforms()
