"""Rewrite bare htmx attributes (hx-get, hx-post, hx-target, …) into data-hx-* so pages validate.

htmx reads both spellings; only the data- one is valid HTML. Idempotent: an attribute already
written data-hx-* is left alone, so the script can be re-run after merging other branches.

    .venv/bin/python scripts/data_hx.py            # rewrite templates/ in place
    .venv/bin/python scripts/data_hx.py --check    # list what would change, exit 1 if anything
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# An attribute name starts after whitespace inside a tag; `data-hx-` has a "-" before "hx-".
BARE = re.compile(r"(?<=[\s'\"}])hx-(?=[a-z][a-z:-]*\s*(=|[\s/>]))")


def rewrite(text: str) -> str:
    out, pos = [], 0
    # Only inside tags: find each "<tag ...>" span and rewrite there (text and JS stay untouched).
    for m in re.finditer(r"<[a-zA-Z][^<>]*>", text, flags=re.S):
        out.append(text[pos:m.start()])
        out.append(BARE.sub("data-hx-", m.group(0)))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def files():
    yield from sorted((ROOT / "templates").rglob("*.html"))
    yield from sorted((ROOT / "intranet").rglob("*.html"))


def main(argv):
    check = "--check" in argv
    changed = []
    for path in files():
        old = path.read_text(encoding="utf-8")
        new = rewrite(old)
        if new != old:
            changed.append(path.relative_to(ROOT))
            if not check:
                path.write_text(new, encoding="utf-8")
    for p in changed:
        print(("would rewrite " if check else "rewrote ") + str(p))
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
