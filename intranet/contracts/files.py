"""The contract's stored papers (the signed scan, the change papers): the download of a stored paper,
through the web package's no-store download (web/uploads.py, shared with the office pages)."""

from flask import abort

from ..services import receipts
from ..web.uploads import send_stored


def send(stored):
    """A stored paper as a download (the caller checked the permission)."""
    path = receipts.path_of(stored)
    if not path.exists():
        abort(404)
    return send_stored(path.read_bytes(), stored.content_type, stored.filename)
