"""One upload step and one no-store download for the pages that keep scans and papers (office registers,
contracts): the service call stores the file, the view only reads the form and answers."""

from io import BytesIO

from flask import abort, request, send_file
from flask_babel import lazy_gettext as _l

from ..services import receipts
from ..services.errors import DomainError, Forbidden
from .actions import done, failed
from .transaction import commit


def upload(form, attach, next_url: str, message, *, field: str = "scan", missing=_l("请选择要上传的文件")):
    """`attach(filename, data)` is the one service call. Returns the redirect after a stored upload, or
    None: show the page again with the form's errors (next to the file field)."""
    if not form.validate_on_submit():
        return None
    storage = request.files.get(field)
    try:
        if storage is None or not storage.filename:
            raise DomainError(missing, field=field)
        attach(storage.filename, receipts.read_upload(storage))
    except Forbidden:
        abort(403)
    except DomainError as exc:
        failed(form, exc)
        return None
    commit()
    return done(next_url, message)


def send_stored(data: bytes, content_type: str, filename: str):
    """A stored upload as a download that no shared cache keeps (the caller checked the permission)."""
    response = send_file(BytesIO(data), mimetype=content_type, as_attachment=True, download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
