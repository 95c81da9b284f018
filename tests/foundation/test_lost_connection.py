"""A PostgreSQL connection killed after the view built its answer (found by the fault drill): the
person gets their page, not gunicorn's bare "Internal Server Error", and the next request works."""

import threading

import pytest
from conftest import PG_ADMIN_URL
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from intranet.extensions import db
from intranet.models import User

pytestmark = pytest.mark.postgres


def _terminate(pid: int) -> None:
    admin = create_engine(PG_ADMIN_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def _read_then_lose_the_connection():
    names = db.session.scalars(db.select(User.username).order_by(User.id)).all()  # a transaction is open
    _terminate(db.session.scalar(text("SELECT pg_backend_pid()")))
    return f"{len(names)} people"


def _in_own_context(client, url: str) -> list:
    """A request as gunicorn serves it: no app context outside it, so its teardowns run at its end."""
    answers = []
    thread = threading.Thread(target=lambda: answers.append(client.get(url)))
    thread.start()
    thread.join(60)
    return answers


def test_connection_killed_before_teardown_still_answers_the_page(pg_app):
    pg_app.add_url_rule("/_test/lost", "test_lost", _read_then_lose_the_connection)
    people = db.session.scalar(db.select(db.func.count(User.id)))
    db.session.remove()
    client = pg_app.test_client()
    [answer] = _in_own_context(client, "/_test/lost")
    assert (answer.status_code, answer.get_data(as_text=True)) == (200, f"{people} people")
    [again] = _in_own_context(client, "/login")  # the dead connection was discarded, not reused
    assert again.status_code == 200


def test_connection_killed_while_smtp_takes_the_mail_is_still_recorded_sent(pg_app):
    """The worker's database connection dies while the SMTP server is taking the message (here: the
    server kills every backend before it answers "250 OK"). The mail arrived, so the row is sent —
    not left "sending, handed over" to be failed later as "may have arrived"."""
    from aiosmtpd.controller import Controller
    from conftest import free_port

    from intranet.jobs.mail import send_email
    from intranet.models import Email

    database = pg_app.config["SQLALCHEMY_DATABASE_URI"].rsplit("/", 1)[1]
    received = []

    class KillThenAccept:
        async def handle_DATA(self, server, session, envelope):
            admin = create_engine(PG_ADMIN_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": database})
            admin.dispose()
            received.append(envelope.content)
            return "250 OK"

    port = free_port()
    controller = Controller(KillThenAccept(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        pg_app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=port)
        row = Email(key="test:lost-during-smtp", to_addr="rep1@demo.local", subject="审批提醒", body="请审批。")
        db.session.add(row)
        db.session.commit()
        email_id = row.id
        db.session.remove()
        assert send_email(email_id) == "sent"
    finally:
        controller.stop()
    assert len(received) == 1
    db.session.remove()
    row = db.session.get(Email, email_id)
    assert (row.status, row.attempts) == ("sent", 1) and row.sent_at is not None
