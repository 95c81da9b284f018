"""Request helpers shared by the office routes: success (303 or HX-Redirect) and errors placed next
to their fields."""

from io import BytesIO

from flask import abort, flash, make_response, redirect, request, send_file
from flask_babel import lazy_gettext as _l

from ..extensions import db, htmx
from ..services import receipts
from ..services.errors import DomainError, Forbidden
from ..web.transaction import commit


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


def upload(form, attach, next_url: str, message, missing=_l("请选择要上传的文件")):
    """The scan form of an office page: `attach(filename, data)` is the one service call. Returns the
    redirect after a stored upload, or None: show the page again with the form's errors."""
    if not form.validate_on_submit():
        return None
    storage = request.files.get("scan")
    try:
        if storage is None or not storage.filename:
            raise DomainError(missing, field="scan")
        attach(storage.filename, receipts.read_upload(storage))
    except DomainError as exc:
        failed(form, exc)
        return None
    commit()
    return done(next_url, message)


def send_scan(data: bytes, content_type: str, filename: str):
    """A stored upload as a download that no shared cache keeps (the caller checked the permission)."""
    response = send_file(BytesIO(data), mimetype=content_type, as_attachment=True, download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
