"""Email through the outbox and to-do items: one row per occasion, sent by a job.

The row is written (and committed with the request) before anything touches
Redis; delivery is enqueued after commit, and a periodic sweep re-enqueues any
row left pending (for example while Redis was down).
"""

from contextlib import contextmanager
from functools import wraps

from flask import current_app, g
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import or_, select, update

from ..extensions import db
from ..models import Email, Todo, User
from .errors import DomainError


@contextmanager
def company_language():
    """Texts written for other people are stored in the company's language (the catalog's source,
    Chinese) whoever's request writes them; each reader gets them in their own language when they
    are shown (web/stored_labels.display) or mailed (stored_labels.in_language, jobs/mail.py)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        yield


def in_company_language(fn):
    """Decorator: the function builds its notification texts in the company's language."""
    @wraps(fn)
    def wrapper(*args, **kwargs):
        with company_language():
            return fn(*args, **kwargs)
    return wrapper


def language_of(address: str) -> str:
    """The language an address reads: a colleague's own preference, else the company's (an outside
    address such as the chairman's). Mails that cannot be translated line by line when they are
    delivered (an HTML report) are rendered in it; jobs/mail.py translates the stored ones with it."""
    locale = db.session.scalar(select(User.locale).where(User.email == address).limit(1)) if address else None
    return locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def _stored(text):
    if isinstance(text, LazyString):
        with company_language():
            return str(text)
    return text


def email(key: str, to_addr: str, subject: str, body: str) -> Email | None:
    """Queue one email for this occasion; a second call with the same key does nothing."""
    if not to_addr or db.session.scalar(select(Email.id).where(Email.key == key)):
        return None
    row = Email(key=key, to_addr=to_addr, subject=_stored(subject), body=_stored(body))
    db.session.add(row)
    db.session.flush()
    _after_commit_ids().append(row.id)
    return row


def todo(key: str, user, text: str, link: str = "") -> Todo | None:
    if db.session.scalar(select(Todo.id).where(Todo.key == key)):
        return None
    item = Todo(key=key, user_id=user.id, text=_stored(text), link=link)
    db.session.add(item)
    db.session.flush()
    return item


def tell(key: str, user, subject: str, body: str, link: str = "") -> None:
    """The usual pair: a to-do on the desk and an email."""
    todo(key, user, subject, link)
    email(key, user.email, subject, body)


def close_todos(prefixes: list[str]) -> None:
    """Mark done every open to-do whose key starts with one of `prefixes` (one statement)."""
    if not prefixes:
        return
    db.session.execute(update(Todo).where(Todo.done.is_(False),
                                          or_(*[Todo.key.startswith(p, autoescape=True) for p in set(prefixes)]))
                       .values(done=True).execution_options(synchronize_session="fetch"))


def open_todos(user, done: bool = False):
    """The user's to-do list: open items, or the ones already done (newest first)."""
    return select(Todo).where(Todo.user_id == user.id, Todo.done.is_(done)).order_by(Todo.id.desc())


def mark_done(user, todo_id: int) -> Todo:
    """A reminder the person has dealt with themselves (only their own items)."""
    item = db.session.get(Todo, todo_id)
    if item is None or item.user_id != user.id:
        raise DomainError(_l("待办事项不存在"))
    item.done = True
    db.session.flush()
    return item


def _after_commit_ids() -> list[int]:
    try:
        return g.setdefault("emails_to_enqueue", [])
    except RuntimeError:  # outside a request/app context there is nothing to defer to
        return []


def pending_after_commit() -> list[int]:
    try:
        return g.pop("emails_to_enqueue", [])
    except RuntimeError:
        return []
