"""Choices for the customer, person and product pickers, searchable by pinyin.

Each option carries the record's stored pinyin keys (`data-keys`, see models/search_keys.py);
static/js/app.js puts a search box before any select whose options have them, so "shhd" or
"shanghai hongda" narrows the list to 上海宏达. The choices themselves — which records a user may
pick — still come from the service that scopes them; this only labels them.
"""

from collections.abc import Callable, Iterable

from wtforms.fields.choices import SelectChoice


def pinyin_choice(obj, label: str | None = None) -> SelectChoice:
    keys = f"{getattr(obj, 'name_initials', '') or ''} {getattr(obj, 'name_pinyin', '') or ''}".strip()
    return SelectChoice(obj.id, label if label is not None else obj.name, render_kw={"data-keys": keys})


def pinyin_choices(objs: Iterable, label: Callable | None = None) -> list[SelectChoice]:
    return [pinyin_choice(o, label(o) if label else None) for o in objs]
