"""Pinyin search keys stored beside a Chinese name (上海宏达 → "shhd", "shanghaihongda").

Chinese staff search by pinyin initials or full pinyin; the keys are computed with pypinyin
when the name is set (a validator, so every save fills them) and stored in indexed columns,
so a search is a plain query over stored text. A migration backfills rows made before.
"""

import re

from sqlalchemy import String, or_
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, validates

_NOT_KEY = re.compile(r"[^0-9a-z]+")


def pinyin_keys(text: str) -> tuple[str, str]:
    """(initials, full pinyin), lower case, letters and digits only: 上海宏达 → ("shhd", "shanghaihongda")."""
    # pypinyin's dictionaries take a moment to load: only in a process that saves a name.
    from pypinyin import Style, lazy_pinyin

    text = text or ""
    full = "".join(lazy_pinyin(text, style=Style.NORMAL, errors="default"))
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"))
    return _NOT_KEY.sub("", initials.lower())[:120], _NOT_KEY.sub("", full.lower())[:400]


def search_key(q: str) -> str:
    """A typed search as a pinyin key: "Shanghai Hongda" → "shanghaihongda"; "" when it has no letters."""
    key = _NOT_KEY.sub("", (q or "").lower())
    return key if re.search("[a-z]", key) else ""


class PinyinName:
    """Mixin for a model with a `name`: keeps `name_initials` and `name_pinyin` in step with it."""

    @declared_attr
    def name_initials(cls) -> Mapped[str]:
        return mapped_column(String(120), default="", index=True)

    @declared_attr
    def name_pinyin(cls) -> Mapped[str]:
        return mapped_column(String(400), default="", index=True)

    @validates("name")
    def _fill_pinyin(self, _key, value):
        self.name_initials, self.name_pinyin = pinyin_keys(value)
        return value

    @classmethod
    def name_matches(cls, q: str):
        """A WHERE clause: the name contains q, or its stored initials or pinyin contain q's key."""
        key = search_key(q)
        clause = cls.name.contains(q)
        if key:
            clause = or_(clause, cls.name_initials.contains(key), cls.name_pinyin.contains(key))
        return clause
