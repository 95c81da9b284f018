"""Request helpers shared by the office routes: errors placed next to their fields (a refusal of the
role is a 403), the search argument; success, uploads and downloads are the web package's
(web/actions.done, web/uploads)."""


from flask import abort, request

from ..extensions import db
from ..services.errors import DomainError, Forbidden
from ..web.actions import done as done


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
