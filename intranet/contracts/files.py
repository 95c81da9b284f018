"""The contract's stored papers (the signed scan, the change papers): one upload step and a no-store
download, as on the office pages. (Kept here: importing the office or orders packages from this one
would run their demo seeds before the customers exist.)"""

from io import BytesIO

from flask import abort, request, send_file
from flask_babel import lazy_gettext as _l

from ..services import receipts
from ..services.errors import DomainError
from ..web.actions import done, failed
from ..web.transaction import commit


def upload(form, field: str, attach, next_url: str, message):
    """`attach(filename, data)` is the one service call. Returns the redirect after a stored upload, or
    None: show the page again with the form's errors (next to the file field)."""
    if not form.validate_on_submit():
        return None
    storage = request.files.get(field)
    try:
        if storage is None or not storage.filename:
            raise DomainError(_l("请选择要上传的文件"), field=field)
        attach(storage.filename, receipts.read_upload(storage))
    except DomainError as exc:
        failed(form, exc)
        return None
    commit()
    return done(next_url, message)


def send(stored):
    """A stored paper as a download that no shared cache keeps (the caller checked the permission)."""
    path = receipts.path_of(stored)
    if not path.exists():
        abort(404)
    response = send_file(BytesIO(path.read_bytes()), mimetype=stored.content_type, as_attachment=True,
                         download_name=stored.filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
