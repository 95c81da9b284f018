"""The `make bench` mix (issue 10): which pages each role opens, shared by the locust file
(scripts/bench_locust.py), the single-user pass of scripts/bench.py and scripts/growth.py.

A new module adds its pages here (role, name, URL, weight): they join the bench and the growth script.
URLs may hold {period} (this month, "2026-11") and {year} (this year); the bench fills them.
"""

from datetime import date, timedelta

PASSWORD = "demo123"

# role -> the demo account that plays it
ACCOUNTS = {
    "rep": "rep1", "supervisor": "supervisor1", "manager": "manager", "director": "director", "gm": "gm",
    "assistant": "assistant", "finance": "finance",
}

# (role, name, url, weight): weights give the mix's shares (desks and the inbox are opened most)
PAGES = [
    ("rep", "rep desk", "/rep/", 6),
    ("rep", "customer search", "/customers/?q=shanghai", 3),
    ("rep", "visit plans", "/visits/plans", 2),
    ("rep", "approvals mine", "/approvals/mine", 1),
    ("rep", "orders register (rep)", "/orders/", 1),
    ("supervisor", "supervisor desk", "/supervisor/", 4),
    ("supervisor", "approvals inbox (supervisor)", "/approvals/", 3),
    ("supervisor", "visit reports", "/visits/reports", 1),
    ("manager", "manager desk", "/manager/", 4),
    ("manager", "approvals inbox (manager)", "/approvals/", 2),
    ("manager", "targets overview", "/targets/overview", 1),
    ("manager", "audit log", "/org/audit", 1),
    ("director", "director desk", "/director/", 3),
    ("director", "returns register", "/returns/register", 1),
    ("director", "contracts register", "/contracts/", 1),
    ("gm", "gm desk", "/gm/", 2),
    ("assistant", "assistant desk", "/assistant/", 4),
    ("assistant", "returns list", "/returns/", 1),
    ("assistant", "orders desk", "/orders/desk", 1),
    ("finance", "finance desk", "/finance/", 3),
    ("finance", "receivables register", "/receivables/", 1),
    ("finance", "ledger confirm queue", "/ledger/confirm", 1),
    ("finance", "ledger month", "/ledger/?account={account}&period={prev_period}", 2),
]


def fill(url: str, today: date, account: int | None) -> str:
    last_month = today.replace(day=1) - timedelta(days=1)
    return url.format(period=f"{today:%Y-%m}", prev_period=f"{last_month:%Y-%m}", year=today.year,
                      account=account or "")


def login(session, base: str, username: str, password: str = PASSWORD) -> None:
    """Log a requests/locust session in through the real form (CSRF token from the page)."""
    import re

    page = session.get(f"{base}/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = session.post(f"{base}/login", data={"username": username, "password": password, "csrf_token": token},
                            allow_redirects=False)
    if response.status_code != 303:
        raise RuntimeError(f"login failed for {username}: {response.status_code}")
