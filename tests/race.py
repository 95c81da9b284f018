"""Several sessions doing the same thing at the same instant (PostgreSQL locking tests).

Each of `n` threads opens its own app context (its own connection), waits at a barrier so they
all start together, runs `work(i)` and commits. A refusal (DomainError) is recorded as its field
errors or its message; anything else as "error: …", so the assertions show what went wrong.
"""

import threading

from intranet.extensions import db
from intranet.services.errors import DomainError


def race(app, n, work) -> list[str]:
    results: list[str] = []
    start = threading.Barrier(n)

    def run(i):
        with app.app_context():
            start.wait(60)
            try:
                results.append(work(i))
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                results.append(str(getattr(exc, "errors", {}) or exc.message))
            except Exception as exc:  # noqa: BLE001 — reported by the assertions
                db.session.rollback()
                results.append(f"error: {exc!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results
