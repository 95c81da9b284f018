"""Request helpers shared by the office routes: success (303 or HX-Redirect) and errors placed next
to their fields."""

from flask import abort, flash, make_response, redirect, request

from ..extensions import db, htmx
from ..services.errors import DomainError, Forbidden


def done(url: str, message):
    flash(message, "success")
    if htmx:
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def failed(form, exc: DomainError) -> None:
    """Roll back; each message beside its field, the rest above the form."""
    db.session.rollback()
    if isinstance(exc, Forbidden):
        abort(403)
    errors = getattr(exc, "errors", None) or {exc.field or "_form": exc.message}
    for name, message in errors.items():
        field = form._fields.get(name) if name != "_form" else None
        if field is not None:
            field.errors = [*field.errors, str(message)]
        else:
            form.form_errors.append(str(message))


def q_arg() -> str:
    return request.args.get("q", "").strip()[:60]
