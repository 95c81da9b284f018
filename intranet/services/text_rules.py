"""Text that every database can store and every export can write.

`clean_text`: NUL (PostgreSQL refuses it), the other C0/C1 control characters (openpyxl refuses
them) and XML non-characters out; Word's line/page breaks (\\v, \\f) and CR/LF become "\\n".
Everything else stays exactly as typed (full-width punctuation, RTL, emoji). The web layer runs
it over every request (web/clean_input.py); imports run it over every cell.

Text fits its column: checked once for every model, before each flush.

PostgreSQL refuses a 210-character name in varchar(120) with a server error, SQLite stores it
silently; both now refuse it with a message naming the field (the column's attribute name, which
is what the forms call it too). Forms with their own Length validators say it earlier.
"""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, event
from sqlalchemy.orm import Session

from .errors import DomainError

_LINE_BREAKS = re.compile(r"\r\n|[\r\v\f\u2028\u2029\x85]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(value):
    """Control characters out, line breaks as "\\n"; anything that is not a str is returned as is."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", _LINE_BREAKS.sub("\n", value))


# PostgreSQL `integer` (ids, counts, years) is the narrowest integer column we have.
INT_MAX = 2**31 - 1
_WHOLE = re.compile(r"-?[0-9]+", re.ASCII)


def whole_number(text) -> int | None:
    """An integer as typed ("12", an IME's "１２"), or None: not "²" or "١٢" (str.isdigit() lets those
    through to int(), which then fails), not beyond what the database stores."""
    cleaned = unicodedata.normalize("NFKC", str(text or "")).strip()
    if not _WHOLE.fullmatch(cleaned) or any(unicodedata.category(ch) == "No" for ch in str(text)):
        return None
    value = int(cleaned)
    return value if -INT_MAX <= value <= INT_MAX else None


def too_long_message(limit: int):
    return _l("内容过长（最多 %(n)d 个字符）", n=limit)


def column_limits(mapper) -> dict[str, int]:
    limits = {}
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        length = getattr(column.type, "length", None)
        if isinstance(column.type, String) and length:
            limits[attr.key] = length
    return limits


def check(obj) -> None:
    from sqlalchemy import inspect

    for key, limit in column_limits(inspect(obj).mapper).items():
        value = obj.__dict__.get(key)
        if isinstance(value, str) and len(value) > limit:
            raise DomainError(too_long_message(limit), field=key)


@event.listens_for(Session, "before_flush")
def _before_flush(session, flush_context, instances) -> None:
    for obj in (*session.new, *session.dirty):
        check(obj)
