"""Full-width punctuation in Chinese text: half-width , : ; ( ) next to a Chinese character become
，：；（）. Idempotent, so it can be re-run after merging branches and on new files.

Where it looks (and nothing else):
  * string literals in .py files under intranet/, tests/, scripts/ (the _()/_l()/gettext source
    strings, flash messages, demo and seed text — code outside string literals is never touched);
  * Jinja templates (text, attribute values and the _() strings in them);
  * the msgids of intranet/translations/**/messages.po and messages.pot (each msgstr stays with
    its msgid), and the keys of i18n/*.json (msgid → English).
It leaves alone English (a mark is changed only when a Chinese character touches it), format
placeholders such as %(name)s, URLs, times (09:30) and numbers (1,234).

    .venv/bin/python scripts/fullwidth.py           # rewrite in place
    .venv/bin/python scripts/fullwidth.py --check   # list files that would change, exit 1 if any
"""

import io
import re
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HAN = re.compile(r"[\u3001-\u3011\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Full-width marks count as "Chinese" neighbours too, so "已提交)," or "（见附件),请" convert whole.
CJK_CONTEXT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
SIMPLE = {",": "，", ":": "：", ";": "；"}


def _cjk(ch: str) -> bool:
    return bool(ch) and bool(CJK_CONTEXT.match(ch))


def fix(text: str) -> str:
    """Rewrite one piece of Chinese text. Leaves text without Chinese characters exactly as is."""
    if not HAN.search(text):
        return text
    # One change can make a neighbour Chinese ("(已停用),x"): repeat until nothing changes.
    while (new := _fix_once(text)) != text:
        text = new
    return text


def _fix_once(text: str) -> str:
    chars = list(text)
    n = len(chars)

    def before(i):
        return chars[i - 1] if i > 0 else ""

    def after(i):
        return chars[i + 1] if i + 1 < n else ""

    # Parentheses in pairs, so "总额(¥)" becomes "总额（¥）"; %( … ) placeholders are skipped.
    protected = set()
    for m in PLACEHOLDER.finditer(text):
        protected.update(range(m.start(), m.end()))
    stack, pairs, lone = [], [], []
    for i, ch in enumerate(chars):
        if i in protected:
            continue
        if ch == "(":
            stack.append((i, False))
        elif ch == ")":
            if stack:
                j, placeholder = stack.pop()
                if not placeholder:
                    pairs.append((j, i))
            else:
                lone.append(i)
    lone.extend(j for j, placeholder in stack if not placeholder)
    for j, i in pairs:
        if _cjk(before(j)) or _cjk(after(j)) or _cjk(before(i)) or _cjk(after(i)):
            chars[j], chars[i] = "（", "）"
    for i in lone:
        if _cjk(before(i)) or _cjk(after(i)):
            chars[i] = "（" if chars[i] == "(" else "）"
    for i, ch in enumerate(chars):
        if i not in protected and ch in SIMPLE and (_cjk(before(i)) or _cjk(after(i))):
            if ch == ":" and after(i) == "/":  # never a URL scheme
                continue
            chars[i] = SIMPLE[ch]
    out = "".join(chars)
    # No space after a full-width mark before a word ("备注： x" → "备注：x"), nor before one.
    out = re.sub(r"([，：；（]) +(?=\S)", r"\1", out)
    out = re.sub(r"(?<=\S) +([，：；）])", r"\1", out)
    return out


def fix_python(source: str) -> str:
    """Only string literals change; everything else in the file is byte-for-byte the same."""
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    spans, prev = [], tokenize.NEWLINE
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (tokenize.NL, tokenize.COMMENT):
            continue
        statement_start, prev = prev in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT), tok.type
        if statement_start and tok.type == tokenize.STRING:
            continue  # a docstring: English prose for developers, not UI text
        if tok.type == tokenize.STRING and HAN.search(tok.string):
            start = offsets[tok.start[0] - 1] + tok.start[1]
            end = offsets[tok.end[0] - 1] + tok.end[1]
            spans.append((start, end))
    out, pos = [], 0
    for start, end in spans:
        out.append(source[pos:start])
        literal = source[start:end]
        prefix = re.match(r"[A-Za-z]*", literal).group(0)
        out.append(literal if "r" in prefix.lower() else fix(literal))
        pos = end
    out.append(source[pos:])
    return "".join(out)


# "{{ _('月份') }}:{{ plan.month }}": the mark sits between a Chinese _() string and the next value.
AFTER_CALL = re.compile(r"""(_\(\s*(['"])(?:(?!\2).)*[\u4e00-\u9fff]\2\s*\)\s*\}\})([,:;])""")
BEFORE_CALL = re.compile(r"""([,:;])(\{\{\s*_\(\s*(['"])[\u4e00-\u9fff])""")


def fix_template(text: str) -> str:
    text = AFTER_CALL.sub(lambda m: m.group(1) + SIMPLE[m.group(3)], text)
    text = BEFORE_CALL.sub(lambda m: SIMPLE[m.group(1)] + m.group(2), text)
    return "\n".join(fix(line) for line in text.split("\n"))


PO_STRING = re.compile(r'^(msgid(?:_plural)?\s+|msgctxt\s+|)"(.*)"\s*$')


def fix_po(text: str) -> str:
    """msgid (and msgid_plural, and their continuation lines) only; msgstr lines stay as they are."""
    out, in_msgid = [], False
    for line in text.split("\n"):
        if line.startswith("msgid"):
            in_msgid = True
        elif line.startswith(("msgstr", "msgctxt", "#")) or not line.strip():
            in_msgid = False
        if in_msgid and PO_STRING.match(line):
            head, _, rest = line.partition('"')
            line = head + '"' + fix(rest)
        out.append(line)
    return _drop_duplicate_entries("\n".join(out))


def _drop_duplicate_entries(text: str) -> str:
    """"单号:" and "单号：" both in the catalog become one msgid: keep the entry that has English."""
    blocks = text.split("\n\n")

    def key(block):
        lines = block.split("\n")
        ctx, mid, cur = [], [], None
        for line in lines:
            if line.startswith("msgctxt"):
                cur = ctx
            elif line.startswith("msgid"):
                cur = mid
            elif line.startswith(("msgstr", "#")):
                cur = None
            if cur is not None and PO_STRING.match(line):
                cur.append(PO_STRING.match(line).group(2))
        return ("".join(ctx), "".join(mid)) if mid else None

    def translated(block):
        return re.search(r'^msgstr(\[0\])?\s+"(?!")', block, flags=re.M) is not None

    best = {}
    for i, block in enumerate(blocks):
        k = key(block)
        if k is None or k == ("", ""):
            continue
        if k not in best or (translated(block) and not translated(blocks[best[k]])):
            best[k] = i
    keep = [b for i, b in enumerate(blocks) if (k := key(b)) is None or k == ("", "") or best[k] == i]
    return "\n\n".join(keep)


def fix_json_keys(text: str) -> str:
    """i18n/<feature>.json is {"中文 msgid": "English"}: the keys change, the English does not."""
    return re.sub(r'^(\s*)"((?:[^"\\]|\\.)*)"(\s*:)', lambda m: m.group(1) + '"' + fix(m.group(2)) + '"' + m.group(3),
                  text, flags=re.M)


def targets():
    me = Path(__file__).resolve()
    for folder in ("intranet", "tests", "scripts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.resolve() != me and "test_punctuation" not in path.name:
                yield path, fix_python
    for folder in ("templates", "intranet"):
        for path in sorted((ROOT / folder).rglob("*.html")):
            yield path, fix_template
    for path in sorted((ROOT / "intranet" / "translations").rglob("*.po*")):
        if path.suffix in (".po", ".pot"):
            yield path, fix_po
    for path in sorted((ROOT / "i18n").glob("*.json")) if (ROOT / "i18n").is_dir() else ():
        yield path, fix_json_keys


def main(argv):
    check = "--check" in argv
    changed = []
    for path, rewrite in targets():
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
