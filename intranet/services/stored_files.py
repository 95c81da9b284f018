"""A file written for a row lives and dies with the row's transaction.

Uploads are written to disk before the row is flushed; when the request then fails (a rule
refuses the document, the database refuses the row) the transaction rolls back and, without
this, the file would stay on disk with nothing pointing at it.
"""

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

KEY = "files_written"


def write(session, path: Path, data: bytes) -> None:
    path.write_bytes(data)
    session.info.setdefault(KEY, []).append(path)


@event.listens_for(Session, "after_commit")
def _kept(session) -> None:
    session.info.pop(KEY, None)


@event.listens_for(Session, "after_rollback")
def _discarded(session) -> None:
    for path in session.info.pop(KEY, []):
        path.unlink(missing_ok=True)
