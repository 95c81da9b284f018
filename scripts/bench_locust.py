"""Locust users for `make bench` (run by scripts/bench.py, headless).

BENCH_TARGET=app: one user class per role, logged in as that role's demo account, opening its pages
of scripts/bench_mix.py with their weights. BENCH_TARGET=floor: the bare Flask hello (scripts/bench_hello.py).
BENCH_ACCOUNT: the petty-cash box the ledger page shows; BENCH_TODAY: the app's today (YYYY-MM-DD);
BENCH_COOKIES: {role: cookies} of sessions logged in beforehand.
"""

import json
import os
import sys
from datetime import date
from pathlib import Path

from locust import HttpUser, constant, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_mix import ACCOUNTS, PAGES, fill, login  # noqa: E402

TODAY = date.fromisoformat(os.environ.get("BENCH_TODAY") or date.today().isoformat())
ACCOUNT = int(os.environ.get("BENCH_ACCOUNT") or 0) or None
COOKIES = json.loads(os.environ.get("BENCH_COOKIES") or "{}")


def _role_user(role: str, weight: int):
    pages = [(name, fill(url, TODAY, ACCOUNT), w) for r, name, url, w in PAGES if r == role]

    def on_start(self):
        # The role's session, logged in once by bench.py (a login's password hashing is not the mix).
        if COOKIES.get(role):
            self.client.cookies.update(COOKIES[role])
        else:
            login(self.client, "", ACCOUNTS[role])

    tasks = {}
    for name, url, w in pages:
        def page(self, url=url, name=name):
            with self.client.get(url, name=name, catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"{response.status_code}")
        tasks[page] = w
    return type(f"{role.title()}User", (HttpUser,), {
        "weight": weight, "wait_time": constant(0), "on_start": on_start, "tasks": tasks})


if os.environ.get("BENCH_TARGET", "app") == "floor":
    class FloorUser(HttpUser):
        wait_time = constant(0)

        @task
        def hello(self):
            self.client.get("/", name="floor hello")
else:
    # how many of the concurrent users play each role (a department has more reps than directors)
    _WEIGHTS = {"rep": 8, "supervisor": 4, "manager": 3, "director": 2, "gm": 1, "assistant": 3, "finance": 2}
    for _role, _weight in _WEIGHTS.items():
        globals()[f"{_role.title()}User"] = _role_user(_role, _weight)
