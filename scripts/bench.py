"""`make bench` (issue 10): the app under gunicorn on PostgreSQL with the scale data, against a bare Flask
"hello" under the same gunicorn settings (the floor), measured in the same run.

1. creates the PostgreSQL database (BENCH_DB, default intranet_bench) if missing, migrates it and seeds the
   demo and the scale data (`flask seed-scale`), unless the database already holds them (cached);
2. starts gunicorn as the Procfile does (2 workers) for the app and for the floor, each on a free port;
3. a single-user pass: every page of scripts/bench_mix.py, logged in as its role, p50 of N requests;
4. locust headless: the floor, then the mix with USERS concurrent users for DURATION seconds each;
5. prints per endpoint req/s, p50, p95, p99 and the ratios to the floor; writes test-output/bench.json.

No timing is asserted anywhere: the figures are for reading (README, performance section).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
OUT = ROOT / "test-output"
sys.path.insert(0, str(ROOT / "scripts"))
from bench_mix import ACCOUNTS, PAGES, fill, login  # noqa: E402

PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database(name: str) -> str:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def flask(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "intranet", *args], env=env, cwd=ROOT, check=True)


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def gunicorn(env: dict, port: int, app: str, log: Path, chdir: Path = ROOT) -> subprocess.Popen:
    # As the Procfile: 2 workers (WEB_WORKERS), access log written (to a file here, not the terminal).
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", env.get("WEB_WORKERS", "2"), "--bind", f"127.0.0.1:{port}",
         "--access-logfile", str(log), "--chdir", str(chdir), app],
        env=env, cwd=chdir, stdout=subprocess.DEVNULL, stderr=log.with_suffix(".err").open("w"))  # noqa: SIM115


def sessions_for(base: str) -> dict[str, requests.Session]:
    sessions = {}
    for role, username in ACCOUNTS.items():
        sessions[role] = requests.Session()
        login(sessions[role], base, username)
    return sessions


def single_user(base: str, today: date, account: int | None, repeat: int, sessions) -> dict[str, dict]:
    results = {}
    for role, name, url, _w in PAGES:
        s = sessions[role]
        target = base + fill(url, today, account)
        status = s.get(target).status_code  # warm-up (templates, caches, connections)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            status = s.get(target).status_code
            times.append((time.perf_counter() - started) * 1000)
        results[name] = {"role": role, "url": fill(url, today, account), "status": status,
                         "p50_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}
    return results


def locust(host: str, target: str, users: int, duration: int, prefix: str, env: dict) -> dict[str, dict]:
    csv_prefix = OUT / prefix
    with open(OUT / f"{prefix}.log", "w") as log:
        subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "scripts" / "bench_locust.py"), "--headless",
                        "-u", str(users), "-r", str(users), "-t", f"{duration}s", "--host", host,
                        "--csv", str(csv_prefix), "--only-summary", "--loglevel", "WARNING"],
                       env=dict(env, BENCH_TARGET=target), cwd=ROOT, check=False,
                       stdout=subprocess.DEVNULL, stderr=log)
    rows = {}
    with open(f"{csv_prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "/login":
                continue
            rows[row["Name"]] = {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                                 "rps": float(row["Requests/s"]), "p50_ms": float(row["50%"] or 0),
                                 "p95_ms": float(row["95%"] or 0), "p99_ms": float(row["99%"] or 0)}
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "intranet_bench"))
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--years", type=float, default=2)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--duration", type=int, default=40, help="seconds of load per phase")
    parser.add_argument("--repeat", type=int, default=15, help="requests per page in the single-user pass")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    started = time.monotonic()
    instance = ROOT / "instance" / "bench"
    instance.mkdir(parents=True, exist_ok=True)
    redis_port = None
    redis_url = os.environ.get("BENCH_REDIS_URL")
    if not redis_url:
        redis_port = free_port()
        subprocess.run(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--daemonize", "yes", "--pidfile", str(instance / "redis.pid")],
                       check=True, stdout=subprocess.DEVNULL)
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
    url = database(args.db)
    env = dict(os.environ, DATABASE_URL=url, REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url,
               INSTANCE_PATH=str(instance), SECRET_KEY="bench-only-secret", FLASK_APP="intranet",
               PATH=f"{BIN}:{os.environ['PATH']}")
    procs: list[subprocess.Popen] = []
    try:
        flask(env, "db", "upgrade")
        engine = create_engine(url)
        with engine.connect() as conn:
            loaded = conn.scalar(text("SELECT count(*) FROM \"user\" WHERE username = 'sc_t01_sup'"))
        if loaded:
            print(f"scale data already in {args.db}: not seeding again")
        else:
            flask(env, "seed-scale", "--staff", str(args.staff), "--years", str(args.years))
        with engine.connect() as conn:
            account = conn.scalar(text("SELECT account_id FROM ledger_entry GROUP BY account_id "
                                       "ORDER BY count(*) DESC LIMIT 1"))
            sizes = {t: conn.scalar(text(f'SELECT count(*) FROM "{t}"')) for t in
                     ("user", "customer", "expense_line", "ledger_entry", "return_request", "audit_entry",
                      "sales_order", "invoice")}
        engine.dispose()
        seeded = time.monotonic() - started
        app_port, floor_port = free_port(), free_port()
        procs.append(gunicorn(env, app_port, "intranet:create_app()", OUT / "bench_app_access.log"))
        procs.append(gunicorn(env, floor_port, "bench_hello:app", OUT / "bench_floor_access.log", ROOT / "scripts"))
        app_base, floor_base = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{floor_port}"
        wait_up(app_base + "/login")
        wait_up(floor_base + "/")
        today = date.today()
        lenv = dict(env, BENCH_TODAY=today.isoformat(), BENCH_ACCOUNT=str(account or ""))

        print("single-user pass …", flush=True)
        sessions = sessions_for(app_base)
        lenv["BENCH_COOKIES"] = json.dumps({r: s.cookies.get_dict() for r, s in sessions.items()})
        single = single_user(app_base, today, account, args.repeat, sessions)
        floor_single = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            requests.get(floor_base + "/")
            floor_single.append((time.perf_counter() - t0) * 1000)
        floor_p50 = statistics.median(floor_single)

        print(f"load: the floor, {args.users} users × {args.duration} s …", flush=True)
        floor = locust(floor_base, "floor", args.users, args.duration, "bench_floor", lenv)
        print(f"load: the mix, {args.users} users × {args.duration} s …", flush=True)
        mix = locust(app_base, "app", args.users, args.duration, "bench_app", lenv)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
        if redis_port:
            subprocess.run(["redis-cli", "-p", str(redis_port), "shutdown", "nosave"], check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    floor_rps = floor.get("Aggregated", {}).get("rps") or 0
    mix_total = mix.get("Aggregated", {})
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "data": sizes, "seed_seconds": round(seeded), "users": args.users, "duration_s": args.duration,
        "floor": {"single_p50_ms": round(floor_p50, 2), **floor.get("Aggregated", {})},
        "mix": {**mix_total, "ratio_to_floor": round(mix_total.get("rps", 0) / floor_rps, 3) if floor_rps else None},
        "pages": {},
    }
    head = f"{'page':34} {'1-user p50':>10} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'fail':>5} {'p50/floor':>9}"
    print()
    print(head)
    print("-" * len(head))
    floor_load_p50 = floor.get("Aggregated", {}).get("p50_ms") or 1
    for name, one in single.items():
        load = mix.get(name, {})
        ratio = round(load.get("p50_ms", 0) / floor_load_p50, 1) if load else None
        report["pages"][name] = {**one, "load": load, "p50_ratio_to_floor": ratio}
        print(f"{name:34} {one['p50_ms']:>10.1f} {load.get('rps', 0):>7.1f} {load.get('p50_ms', 0):>6.0f} "
              f"{load.get('p95_ms', 0):>6.0f} {load.get('p99_ms', 0):>6.0f} {load.get('failures', 0):>5} "
              f"{ratio if ratio is not None else '-':>9}" + ("" if one["status"] == 200 else f"  HTTP {one['status']}"))
    print("-" * len(head))
    print(f"{'the floor (hello)':34} {floor_p50:>10.1f} {floor_rps:>7.1f} {floor_load_p50:>6.0f} "
          f"{floor.get('Aggregated', {}).get('p95_ms', 0):>6.0f} {floor.get('Aggregated', {}).get('p99_ms', 0):>6.0f}")
    print(f"{'the mix (all pages)':34} {'':>10} {mix_total.get('rps', 0):>7.1f} {mix_total.get('p50_ms', 0):>6.0f} "
          f"{mix_total.get('p95_ms', 0):>6.0f} {mix_total.get('p99_ms', 0):>6.0f} {mix_total.get('failures', 0):>5}")
    if report["mix"]["ratio_to_floor"] is not None:
        print(f"mix req/s ÷ floor req/s = {report['mix']['ratio_to_floor']:.1%}")
    print(f"data: {sizes}")
    report["total_seconds"] = round(time.monotonic() - started)
    (OUT / "bench.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"written {OUT / 'bench.json'} ({report['total_seconds']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
