"""The small view steps the order, receivables and targets pages share: a button that calls one
service, the redirect after it (HX-Redirect for htmx), and a refusal put next to its fields."""

from flask import flash, make_response, redirect

from ..extensions import db, htmx
from ..services.errors import DomainError
from ..services.samples import InputErrors
from .transaction import commit


def done(url: str, message, category="success"):
    flash(message, category)
    if htmx:
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def failed(form, exc: DomainError) -> dict:
    """Field errors next to their fields; the rest (e.g. amount_<id>) returned for the template."""
    db.session.rollback()
    errors = exc.errors if isinstance(exc, InputErrors) else {exc.field or "_form": exc.message}
    rest = {}
    for name, message in errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, str(message)]
        else:
            rest[name] = str(message)
    if "_form" in rest:
        form.form_errors.append(rest.pop("_form"))
    return rest


def act(url: str, work, message):
    """A button: one service call; a refusal is shown as a message on the page it came from."""
    try:
        work()
    except DomainError as exc:
        db.session.rollback()
        errors = exc.errors if isinstance(exc, InputErrors) else {"_": exc.message}
        return done(url, "；".join(str(m) for m in errors.values()), "error")
    commit()
    return done(url, message)
