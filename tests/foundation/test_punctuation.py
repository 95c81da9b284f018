"""Chinese text uses full-width punctuation: no half-width , : ; ( ) touching a Chinese character
in the catalog's msgids or in the templates (scripts/fullwidth.py fixes them)."""

import importlib.util
import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
HALF = re.compile(r"[\u4e00-\u9fff\u3001-\u3011][,:;()]|[,:;()][\u4e00-\u9fff]"
                  r"""|_\((['"])[^'"]*[\u4e00-\u9fff]\1\)\s*\}\}[,:;]""")
PLACEHOLDER = re.compile(r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[a-zA-Z]")


def _offending(text):
    return HALF.search(PLACEHOLDER.sub("x", text))


def _script():
    spec = importlib.util.spec_from_file_location("fullwidth", ROOT / "scripts/fullwidth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_catalog_msgids_use_full_width_punctuation():
    bad = []
    for path in (ROOT / "intranet/translations/messages.pot", ROOT / "intranet/translations/en/LC_MESSAGES/messages.po"):
        with path.open("rb") as f:
            bad += [m.id for m in read_po(f) if m.id and _offending(m.id if isinstance(m.id, str) else m.id[0])]
    assert bad == [], f"{len(bad)} msgids with half-width punctuation, e.g. {bad[:5]}"


def test_templates_use_full_width_punctuation():
    bad = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "templates").rglob("*.html"))
           for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if _offending(line)]
    assert bad == [], bad[:10]


def test_empty_states_are_not_faked_italic():
    css = (ROOT / "static/css/app.css").read_text(encoding="utf-8")
    assert not re.search(r"\.empty\s*\{[^}]*italic", css)


def test_the_rewrite_keeps_code_placeholders_and_english():
    fix = _script().fix
    assert fix("密码已修改,其他设备上的登录已失效") == "密码已修改，其他设备上的登录已失效"
    assert fix("金额(元):") == "金额（元）："
    assert fix("共 %(n)d 条,合计 %(total)s(含税)") == "共 %(n)d 条，合计 %(total)s（含税）"
    assert fix("时间: 09:30") == "时间：09:30"
    assert fix("详见 http://intranet/a,b") == "详见 http://intranet/a,b"
    assert fix("Amount (CNY): 1,234.50") == "Amount (CNY): 1,234.50"
    assert fix("¥1,234.50") == "¥1,234.50"
    once = fix("已撤回(%(who)s),可以修改后重新提交;谢谢")
    assert once == "已撤回（%(who)s），可以修改后重新提交；谢谢" and fix(once) == once


def test_python_rewrite_touches_string_literals_only():
    fix_python = _script().fix_python
    source = 'def f(x):\n    """Docs (说明)."""\n    return _("保存(草稿),好") if g(x) else "好"  # 注释(不改)\n'
    assert fix_python(source) == source.replace('"保存(草稿),好"', '"保存（草稿），好"')


def test_po_rewrite_keeps_english_with_its_msgid_and_merges_duplicates():
    fix_po = _script().fix_po
    po = ('msgid "单号:"\nmsgstr "No.:"\n\n#: a.py:1\nmsgid "单号："\nmsgstr ""\n\n'
          'msgid ""\n"金额(元)"\nmsgstr "Amount (CNY)"\n')
    assert fix_po(po) == 'msgid "单号："\nmsgstr "No.:"\n\nmsgid ""\n"金额（元）"\nmsgstr "Amount (CNY)"\n'
