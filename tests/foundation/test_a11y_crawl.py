"""Acceptance 1 of issue 13: every role's desk and the pages two clicks from it pass axe-core
(no serious or critical violation) and the Nu HTML Checker (no error).

The crawl follows same-origin links (GET only; logout, exports, downloads and print views are
skipped) to depth 2 from each role's desk. Pages of the same shape (/customers/12 and
/customers/13) are checked once, so the whole crawl stays around a minute. The checker is the
npm registry's vnu-jar, fetched once with npm into .cache/ and run in one java call.
"""

import json
import re
import subprocess
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import OUTPUT, ROOT, browser_login

VNU_VERSION = "26.9.27"
CACHE = ROOT / ".cache" / f"vnu-jar-{VNU_VERSION}"
ROLE_USERS = ("rep1", "supervisor1", "manager", "director", "gm", "assistant", "finance")
SKIP = re.compile(r"/logout|format=xlsx|/export|/download|/print|/file|/receipt|/photo|/attachment|\.(xlsx|pdf|png|jpe?g)\b")
DEPTH = 2


def vnu_jar() -> Path:
    jar = CACHE / "package" / "build" / "dist" / "vnu.jar"
    if not jar.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", f"vnu-jar@{VNU_VERSION}", "--silent", "--pack-destination", str(CACHE)],
                       check=True, capture_output=True, timeout=180)
        tarball = CACHE / f"vnu-jar-{VNU_VERSION}.tgz"
        subprocess.run(["tar", "xzf", str(tarball), "-C", str(CACHE), "package/build/dist/vnu.jar"], check=True)
        tarball.unlink()
    return jar


def _shape(url: str) -> str:
    parts = urlsplit(url)
    query = "&".join(sorted(re.sub(r"=.*", "", q) for q in parts.query.split("&") if q and not q.startswith("page=")))
    return re.sub(r"/\d+", "/N", parts.path) + ("?" + query if query else "")


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = []
    for href in hrefs:
        url = urljoin(page.url, href).split("#")[0]
        if url.startswith(base) and not SKIP.search(url):
            found.append(url)
    return found


def crawl(page, base: str, seen: set, pages: dict, findings: list, minor: list, axe: Axe) -> None:
    queue = deque([(page.url, 0)])
    seen.add(_shape(page.url))
    while queue:
        url, depth = queue.popleft()
        response = page.goto(url)
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        path = urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else "")
        pages[path] = response.text()
        result = axe.run(page)
        for v in result.response["violations"]:
            targets = [n["target"] for n in v["nodes"][:3]]
            (findings if v["impact"] in ("serious", "critical") else minor).append(
                f"{path}: {v['id']} ({v['impact']}) {targets}")
        if depth < DEPTH:
            for link in _links(page, base):
                if _shape(link) not in seen:
                    seen.add(_shape(link))
                    queue.append((link, depth + 1))


@pytest.mark.browser
@pytest.mark.timeout(600)  # ~1 minute alone; a loaded machine (the suite runs two at once) takes longer
def test_every_desk_two_clicks_deep_passes_axe_and_the_html_checker(page, live_server, tmp_path):
    jar = vnu_jar()
    axe = Axe()
    seen, pages, findings, minor = set(), {}, [], []
    for username in ROLE_USERS:
        page.context.clear_cookies()
        browser_login(page, username)
        crawl(page, live_server, seen, pages, findings, minor, axe)
    assert len(pages) > 40, sorted(pages)

    files = []
    for n, (path, html) in enumerate(sorted(pages.items())):
        file = tmp_path / f"page-{n:03d}.html"
        file.write_text(html, encoding="utf-8")
        files.append((file, path))
    run = subprocess.run(["java", "-Xss1024k", "-jar", str(jar), "--errors-only", "--format", "json",
                          *[str(f) for f, _ in files]], capture_output=True, text=True, timeout=240)
    by_file = {f.name: path for f, path in files}
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    errors = [f"{by_file.get(Path(urlsplit(m.get('url', '')).path).name, m.get('url'))}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m.get("type") == "error"]
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "a11y-crawl.txt").write_text(
        "\n".join([f"{len(pages)} pages", *sorted(pages), "", "axe:", *findings, "", "vnu:", *errors, "", "axe (moderate/minor):", *minor]), encoding="utf-8")
    assert findings == [], f"{len(findings)} serious/critical axe violations, e.g. {findings[:8]}"
    assert errors == [], f"{len(errors)} HTML errors, e.g. {errors[:8]}"
