"""The English catalog is complete: every string the code and templates use has English in the .po.

The source strings are Chinese; a string added without its English fails here (run
`make translations`, then give the new entries their English in the .po).
"""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "intranet/translations/en/LC_MESSAGES/messages.po"


def _catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def test_every_string_in_use_has_english(tmp_path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "."], cwd=ROOT,
                   check=True, capture_output=True)
    english = {m.id: m for m in _catalog(PO) if m.id}
    missing = [m.id for m in _catalog(pot) if m.id and (m.id not in english or not english[m.id].string
                                                       or english[m.id].fuzzy)]
    assert missing == [], f"{len(missing)} strings without English, e.g. {missing[:5]}"


def test_templates_have_no_inline_script_style_or_handler():
    """The CSP blocks them in the browser: behaviour goes in static/js, styles in static/css."""
    import re

    inline = re.compile(r"\son[a-z]+=|<style|\sstyle=|<script(?![^>]*\b(src|type=\"application/json\"))")
    found = [f"{path.relative_to(ROOT)}:{n}" for path in (ROOT / "templates").rglob("*.html")
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if inline.search(line)]
    assert found == []


def _undone(catalog) -> list:
    """Entries without English or marked fuzzy (plural entries need every form)."""
    return [m.id for m in catalog if m.id and (m.fuzzy or not (m.string if isinstance(m.string, str)
                                                               else all(m.string)))]


def test_the_po_has_no_untranslated_or_fuzzy_entry():
    """The .po is the English source of truth (what translators and Poedit edit): every entry done."""
    undone = _undone(_catalog(PO))
    assert undone == [], f"{len(undone)} untranslated or fuzzy entries in the .po, e.g. {undone[:5]}"


def test_the_catalog_check_catches_fuzzy_and_empty_entries(tmp_path):
    """The checks above can fail: a fuzzy entry and an empty one are both reported."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(locale="en")
    catalog.add("已提交", "Submitted")
    catalog.add("总监审批", "Director approval", flags=["fuzzy"])
    catalog.add("退回", "")
    path = tmp_path / "messages.po"
    with path.open("wb") as f:
        write_po(f, catalog)
    assert _undone(_catalog(path)) == ["总监审批", "退回"]
