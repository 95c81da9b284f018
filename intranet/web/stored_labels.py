"""Stored labels in the reader's language.

Step names (总监审批), request titles, to-dos, history notes and account names
("赵敏 的备用金") are stored as the company's language writes them: the Chinese source
string of the catalog (the msgid, i.e. the code of the label) with its parameters filled in.
They are translated when they are displayed, not when they are stored, so one row reads in
Chinese for one person and in English for the next:

- a stored text that is a msgid shows its translation;
- a stored text made from a msgid with parameters (``%(name)s 的备用金``) is matched back to
  that msgid, its parameters taken from the text (and translated themselves when they are
  labels), and shown as the translation with the same parameters;
- a text made by joining labels with spaces or " · " ("拜访计划 2026-11 · 张伟") has its parts
  translated one by one;
- anything else (names, comments typed by people, rows older than the catalog) shows as stored.

This runs as the Jinja ``finalize`` hook, so every ``{{ … }}`` of every template gets it without
a filter at each place; Chinese readers pay nothing (the hook returns at once).
"""

import re
from functools import lru_cache

from flask import Flask, has_request_context
from flask_babel import force_locale, get_locale, get_translations
from markupsafe import Markup

CJK = re.compile(r"[\u3400-\u9fff]")
# A msgid whose fixed text is only Chinese punctuation (「%(title)s」%(outcome)s) is still a label pattern.
CJK_OR_PUNCT = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")
ADJACENT = re.compile(r"%\((\w+)\)s%\((\w+)\)s")
JOINERS = re.compile(r"( · | |：|:)")
MEMO_SIZE = 50_000  # texts remembered per catalog before starting afresh (a few MB at most)


class _Catalog:
    def __init__(self, translations):
        self.messages: dict[str, str] = {
            k: v for k, v in getattr(translations, "_catalog", {}).items() if isinstance(k, str) and k and v}
        self.patterns: dict[str, list[tuple[re.Pattern, str, str]]] = {}
        for msgid in self.messages:
            if "%(" not in msgid or not CJK_OR_PUNCT.search(PLACEHOLDER.sub("", msgid)):
                continue
            parts, last = [], 0
            for m in PLACEHOLDER.finditer(msgid):
                parts.append(re.escape(msgid[last:m.start()]))
                parts.append(f"(?P<{m.group(1)}>\\d+)" if m.group(2) == "d" else f"(?P<{m.group(1)}>.+?)")
                last = m.end()
            parts.append(re.escape(msgid[last:]))
            try:
                pattern = re.compile("".join(parts), re.S)
            except re.error:  # the same placeholder twice
                continue
            first = msgid[0] if not msgid.startswith("%(") else ""
            # The longest fixed piece must be in a text before the pattern is tried: most texts shown
            # (names, comments) match no pattern, and trying them all cost about a millisecond a text.
            longest = max(PLACEHOLDER.split(msgid)[::3], key=len)
            self.patterns.setdefault(first, []).append((pattern, msgid, longest))
        # What a text translated to, per depth: a page shows the same labels and names again and again.
        self.memo: dict[tuple[str, int], str] = {}
        # Two placeholders with nothing between them ("%(kind)s%(verb)s：…") split a text anywhere; their
        # values are only believed when both are labels of the catalog ("名片印刷" is no kind plus verb).
        self.adjacent: dict[str, list[tuple[str, str]]] = {
            msgid: ADJACENT.findall(msgid) for msgid in self.messages if ADJACENT.search(msgid)}

    def translate(self, text: str, depth: int = 0) -> str:
        if text in self.messages:
            return self.messages[text]
        key = (text, depth)
        if key not in self.memo:
            if len(self.memo) > MEMO_SIZE:
                self.memo.clear()
            self.memo[key] = self._translate(text, depth)
        return self.memo[key]

    def _translate(self, text: str, depth: int) -> str:
        for pattern, msgid, longest in self.patterns.get(text[:1], []) + self.patterns.get("", []):
            if longest not in text:
                continue
            m = pattern.fullmatch(text)
            if m is None:
                continue
            found = self._labels_split(msgid, m.groupdict())
            if found is None:
                continue
            values = {k: (int(v) if f"%({k})d" in msgid else self._part(v, depth)) for k, v in found.items()}
            try:
                return self.messages[msgid] % values
            except (KeyError, ValueError, TypeError):
                return text
        if depth <= 1:  # a label joined of labels, also as a parameter ("待审批：拜访计划 2026-12 · 周杰")
            pieces = JOINERS.split(text)
            if len(pieces) > 1:
                return "".join(self._part(p, 1) if i % 2 == 0 else p for i, p in enumerate(pieces))
        return text

    def _labels_split(self, msgid: str, values: dict[str, str]) -> dict[str, str] | None:
        """The values with each adjacent pair re-split where both halves are labels; None when no split is."""
        for left, right in self.adjacent.get(msgid, ()):
            joined = values[left] + values[right]
            for cut in range(1, len(joined)):
                if joined[:cut] in self.messages and joined[cut:] in self.messages:
                    values = {**values, left: joined[:cut], right: joined[cut:]}
                    break
            else:
                return None
        return values

    def _part(self, value: str, depth: int) -> str:
        if not CJK.search(value):
            return value
        return self.translate(value, depth + 1) if depth < 2 else self.messages.get(value, value)


@lru_cache(maxsize=8)
def _catalog_for(translations) -> _Catalog:
    return _Catalog(translations)


def display(value):
    """The stored label `value` in the reader's language (unchanged for Chinese readers and non-labels)."""
    if type(value) is not str or not CJK.search(value) or not has_request_context():
        return value
    if str(get_locale()).startswith("zh"):
        return value
    return _catalog_for(get_translations()).translate(value)


def in_language(text: str, locale: str | None) -> str:
    """A stored text in `locale`, line by line: an email in its recipient's language (a job has no reader)."""
    if not text or not locale or locale.startswith("zh") or not CJK.search(text):
        return text
    with force_locale(locale):
        catalog = _catalog_for(get_translations())
    return "\n".join(catalog.translate(line) if CJK.search(line) else line for line in text.split("\n"))


def _finalize(value):
    return value if isinstance(value, Markup) else display(value)


def register(app: Flask) -> None:
    app.jinja_env.finalize = _finalize
    app.jinja_env.filters["label"] = display
