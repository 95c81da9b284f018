"""Log in as every demo account on a running instance and report what each desk shows.

    .venv/bin/python scripts/check_desks.py http://127.0.0.1:5000

For each account: the desk's URL, how many cards it has and how many of them are empty; exits 1
when a desk shows nothing (every card empty). Used to check `make run` on a faked day
(`faketime '2027-01-01 00:05' make run`) as well as on a real one.
"""

import re
import sys
from http.cookiejar import CookieJar
from urllib.parse import urlencode, urljoin
from urllib.request import HTTPCookieProcessor, build_opener

ACCOUNTS = ("rep1", "rep3", "supervisor1", "supervisor2", "manager", "director", "gm", "assistant", "finance")


def desk(base: str, username: str) -> tuple[str, int, int]:
    browser = build_opener(HTTPCookieProcessor(CookieJar()))
    page = browser.open(urljoin(base, "/login"), timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urlencode({"username": username, "password": "demo123", "csrf_token": token}).encode()
    response = browser.open(urljoin(base, "/login"), data=form, timeout=30)  # follows the 303 to the desk
    html = response.read().decode()
    cards = len(re.findall(r'<section class="card"', html))
    empty = len(re.findall(r'<p class="empty">', html))
    return response.geturl(), cards, empty


def main() -> int:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
    bad = 0
    for username in ACCOUNTS:
        url, cards, empty = desk(base, username)
        status = "ok" if cards > empty else "EMPTY"
        bad += status != "ok"
        print(f"{username:12} {url:40} cards {cards:2}  empty {empty:2}  {status}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
