"""Profile one page of the bench mix on a growth data set (issue 10): where its Python time goes.

    .venv/bin/python scripts/profile_page.py instance/growth/s320_y1/growth.db manager /manager/ [--cards]
    .venv/bin/python scripts/profile_page.py postgresql+psycopg://postgres@127.0.0.1:5432/intranet_bench manager /manager/

Logs in as the role's demo account (scripts/bench_mix.py), opens the page once to warm up, then runs it
under pyinstrument (the `bench` extra) and prints the call tree; with --cards, also times each desk
card's context function and its rendering, ten runs each, and prints the medians and statement counts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from bench_mix import ACCOUNTS, PASSWORD  # noqa: E402


def card_times(app, role: str, username: str, repeat: int) -> None:
    from flask_login import login_user
    from jinja2_fragments.flask import render_block
    from sqlalchemy import event, select

    from intranet.extensions import db
    from intranet.models import User
    from intranet.web.desk import cards_for

    statements: list[str] = []
    with app.test_request_context("/"):
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        user = db.session.scalar(select(User).where(User.username == username))
        login_user(user)
        for c in cards_for(role):
            ctx_times, render_times = [], []
            for _ in range(repeat):
                db.session.expire_all()
                statements.clear()
                started = time.process_time()  # CPU: steadier than wall time on a shared machine
                context = c.context(user)
                middle = time.process_time()
                render_block(c.template, "card", card=c, **context)
                ctx_times.append((middle - started) * 1000)
                render_times.append((time.process_time() - middle) * 1000)
            print(f"{c.name:28} CPU: context {statistics.median(ctx_times):7.1f} ms  render "
                  f"{statistics.median(render_times):6.1f} ms  {len(statements):3} statements")


def profile_card(app, role: str, name: str, repeat: int) -> None:
    from flask_login import login_user
    from pyinstrument import Profiler
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.models import User
    from intranet.web.desk import CARDS

    with app.test_request_context("/"):
        user = db.session.scalar(select(User).where(User.username == ACCOUNTS[role]))
        login_user(user)
        CARDS[name].context(user)
        profiler = Profiler(interval=0.0002)
        with profiler:
            for _ in range(repeat):
                db.session.expire_all()
                CARDS[name].context(user)
        print(profiler.output_text(unicode=True, color=False, show_all=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("role")
    parser.add_argument("url")
    parser.add_argument("--cards", action="store_true")
    parser.add_argument("--card", help="profile this desk card's context function alone")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    if "://" in args.db:  # a database URL, e.g. make bench's postgresql+psycopg://postgres@127.0.0.1/intranet_bench
        os.environ.update(DATABASE_URL=args.db)
    else:
        db_path = Path(args.db).resolve()
        os.environ.update(DATABASE_URL=f"sqlite:///{db_path}", INSTANCE_PATH=str(db_path.parent))
    from pyinstrument import Profiler

    from intranet import create_app

    app = create_app()
    app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    client = app.test_client()
    response = client.post("/login", data={"username": ACCOUNTS[args.role], "password": PASSWORD})
    assert response.status_code == 303, response.status_code
    client.get(args.url)
    if args.card:
        profile_card(app, args.role, args.card, args.repeat)
        return 0
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(3):
            assert client.get(args.url).status_code == 200
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.cards:
        card_times(app, args.role, ACCOUNTS[args.role], args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
