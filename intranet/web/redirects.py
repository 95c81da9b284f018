"""Where a `next` parameter may send the browser: a local path on one line, nothing else.

A CR or LF in a Location header is a server error after the work is done (the decision is
recorded, then the user sees a 500) — and, with a lenient server, a header-injection hole.
"""

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str | None = None) -> str | None:
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default
    if urlsplit(target).netloc:
        return default
    return target
