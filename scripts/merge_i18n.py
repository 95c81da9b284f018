"""Fill the English catalog from i18n/*.json (msgid → English), kept by each feature while it is built.

    make translations && .venv/bin/python scripts/merge_i18n.py

Only entries without English (or fuzzy) are filled; a JSON entry whose msgid is not in the catalog is
reported. Exit status 1 when the catalog still has untranslated entries.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "intranet/translations/en/LC_MESSAGES/messages.po"


def main() -> int:
    english: dict[str, str] = {}
    for path in sorted((ROOT / "i18n").glob("*.json")):
        english.update(json.loads(path.read_text(encoding="utf-8")))
    with PO.open("rb") as f:
        catalog = read_po(f)
    filled, unknown = 0, set(english)
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        unknown.discard(message.id)
        if (not message.string or message.fuzzy) and message.id in english:
            message.string = english[message.id]
            message.flags.discard("fuzzy")
            filled += 1
    with PO.open("wb") as f:
        write_po(f, catalog, ignore_obsolete=True, width=110)
    missing = [m.id for m in catalog if m.id and isinstance(m.id, str) and (not m.string or m.fuzzy)]
    print(f"{filled} filled; {len(missing)} without English; {len(unknown)} JSON entries not in the catalog")
    for msgid in missing:
        print("  missing:", repr(msgid))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
