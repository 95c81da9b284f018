"""Growth (issue 10): the bench's pages at 1×, 4× (and 16×) data, p50 and query count at each; each report job's time.

    .venv/bin/python scripts/growth.py [--factors 1,4,16] [--base-staff 20] [--years 1]

Each factor builds its own SQLite database under instance/growth/ (demo + `seed-scale` with
base-staff × factor people, cached), then opens every page of scripts/bench_mix.py in a Flask test
client logged in as its role, counting the statements with a SQLAlchemy event listener. A page whose
query count grows with the data has an N+1 or a per-row query; a page whose time grows loads rows it
does not show. Then each report type is generated through the report job's service function
(reports.generate) for last month and the whole department, and its time printed. CPU time (the
process's, so SQLite's too) is printed beside the wall time: on a shared machine it varies less.
No timing is asserted (tests/foundation/test_scale_query_counts.py asserts the counts).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT / "scripts"))
from bench_mix import ACCOUNTS, PAGES, PASSWORD, fill  # noqa: E402


def build(folder: Path, staff: int, years: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "growth.db"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{db}", INSTANCE_PATH=str(folder), FLASK_APP="intranet")
    if not (folder / "done").exists():
        db.unlink(missing_ok=True)
        subprocess.run([str(BIN / "flask"), "--app", "intranet", "db", "upgrade"], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([str(BIN / "flask"), "--app", "intranet", "seed-scale", "--staff", str(staff),
                        "--years", str(years)], env=env, cwd=ROOT, check=True)
        (folder / "done").write_text("1")
    else:  # a cached data set gets the migrations added since it was built, and fresh statistics
        subprocess.run([str(BIN / "flask"), "--app", "intranet", "db", "upgrade"], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with sqlite3.connect(db) as conn:
            conn.execute("ANALYZE")
    return db


def measure(db: Path, repeat: int) -> dict[str, dict]:
    """Run in a child process: the app on `db`, every page timed and its statements counted."""
    os.environ.update(DATABASE_URL=f"sqlite:///{db}", INSTANCE_PATH=str(db.parent))
    from sqlalchemy import event, func, select

    from intranet import create_app
    from intranet.extensions import db as sa
    from intranet.models import LedgerEntry

    app = create_app()
    app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    out = {}
    with app.app_context():
        account = sa.session.scalar(select(LedgerEntry.account_id).group_by(LedgerEntry.account_id)
                                    .order_by(func.count().desc()).limit(1))
        engine = sa.engine
        sa.session.remove()
    # No app context stays pushed: each request has its own session, as under gunicorn (a shared one
    # would skip the loads its identity map already holds, and the counts would depend on the order).
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    clients = {}
    for role, name, url, _w in PAGES:
        if role not in clients:
            clients[role] = app.test_client()
            response = clients[role].post("/login", data={"username": ACCOUNTS[role], "password": PASSWORD})
            assert response.status_code == 303, response.status_code
        client = clients[role]
        target = fill(url, date.today(), account)
        client.get(target)
        times, cpu, queries = [], [], []
        for _ in range(repeat):
            statements.clear()
            started, started_cpu = time.perf_counter(), time.process_time()
            status = client.get(target).status_code
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            queries.append(len(statements))
        # the count most requests run; the largest stays in the JSON
        out[name] = {"status": status, "p50_ms": round(statistics.median(times), 1),
                     "cpu_p50_ms": round(statistics.median(cpu), 1),
                     "queries": statistics.median_low(queries), "max_queries": max(queries)}
    out.update(report_jobs(app, repeat))
    return out


def report_jobs(app, repeat: int) -> dict[str, dict]:
    """Each report type of the report center built once per repeat for last month and the whole
    department, through reports.generate (what the RQ job runs: claim, figures with heartbeats, Excel,
    finish); the runs are deleted afterwards, so the cached data set stays as it was."""
    from sqlalchemy import delete, select

    from intranet.extensions import db as sa
    from intranet.models import ReportRun, User
    from intranet.services import reports
    from intranet.services.report_types import TYPES

    out = {}
    with app.app_context():
        manager = sa.session.scalar(select(User.id).where(User.username == ACCOUNTS["manager"]))
        for kind in TYPES:
            times, cpu, ids = [], [], []
            for _ in range(max(1, repeat // 2)):
                run = ReportRun(kind=kind, period=reports.last_month(), requested_by_id=manager)
                sa.session.add(run)
                sa.session.commit()
                ids.append(run.id)
                started, started_cpu = time.perf_counter(), time.process_time()
                status = reports.generate(run.id)
                sa.session.commit()
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            sa.session.execute(delete(ReportRun).where(ReportRun.id.in_(ids)))
            sa.session.commit()
            out[f"report job: {kind}"] = {"status": status, "p50_ms": round(statistics.median(times), 1),
                                          "cpu_p50_ms": round(statistics.median(cpu), 1), "queries": None, "max_queries": None}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", default="1,4")
    parser.add_argument("--base-staff", type=int, default=20)
    parser.add_argument("--years", type=float, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print("RESULT " + json.dumps(measure(Path(args.measure), args.repeat)))
        return 0
    factors = [int(f) for f in args.factors.split(",")]
    results = {}
    for factor in factors:
        staff = args.base_staff * factor
        started = time.monotonic()
        db = build(ROOT / "instance" / "growth" / f"s{staff}_y{args.years:g}", staff, args.years)
        built = time.monotonic() - started
        run = subprocess.run([sys.executable, __file__, "--measure", str(db), "--repeat", str(args.repeat)],
                             cwd=ROOT, capture_output=True, text=True, check=True)
        found = re.search(r"^RESULT (.*)$", run.stdout, re.M)
        results[factor] = {"staff": staff, "build_s": round(built), "pages": json.loads(found.group(1))}
    head = f"{'page':34}" + "".join(f" {f'{f}× p50':>9} {f'{f}× q':>6}" for f in factors) + "  growth"
    print(head)
    print("-" * len(head))
    for name in results[factors[0]]["pages"]:
        cells = [results[f]["pages"][name] for f in factors]
        line = f"{name:34}" + "".join(f" {c['p50_ms']:>9.1f} {c['queries'] if c['queries'] is not None else '':>6}"
                                      for c in cells)
        growth = cells[-1]["p50_ms"] / cells[0]["p50_ms"] if cells[0]["p50_ms"] else 0
        flags = ("" if growth <= 1.5 else "  time grows") + ("" if cells[-1]["queries"] == cells[0]["queries"]
                                                             else "  QUERIES GROW")
        cpu = [c["cpu_p50_ms"] for c in cells]
        cpu_note = "  cpu " + " → ".join(f"{c:.1f}" for c in cpu) if None not in cpu else ""
        print(line + f"  {growth:.2f}×{flags}{cpu_note}")
    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    (out / "growth.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
