"""Receipt attachments (票据): checked by size and by content (magic bytes), stored under instance/.

A receipt belongs to a document (doc_type, doc_id). Whoever may see the document may
download its receipts; each document type registers that rule with `visibility()`.
"""

import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Receipt
from . import audit, stored_files
from .errors import DomainError

# (magic prefix, content type, extension). WebP is RIFF....WEBP, checked separately.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
    (b"%PDF-", "application/pdf", "pdf"),
)

# doc_type -> (user, doc_id) -> bool
_VISIBILITY: dict[str, Callable] = {}


def visibility(doc_type: str):
    def decorator(func):
        _VISIBILITY[doc_type] = func
        return func

    return decorator


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the first bytes, or None when it is not an image/PDF."""
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def folder() -> Path:
    # INSTANCE_DIR is the instance path; create_app passes the class default to Flask, so a test's
    # override (a tmp dir) is only visible in the config.
    base = current_app.config.get("INSTANCE_DIR") or current_app.instance_path
    path = Path(base) / "uploads" / "receipts"
    path.mkdir(parents=True, exist_ok=True)
    return path


def check(data: bytes, field: str = "receipts") -> tuple[str, str]:
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    if not data:
        raise DomainError(_l("上传的文件是空的"), field=field)
    if len(data) > limit:
        raise DomainError(_l("文件过大，单个票据不能超过 %(mb)d MB", mb=limit // (1024 * 1024)), field=field)
    kind = sniff(data[:16])
    if kind is None:
        raise DomainError(_l("只能上传图片（JPG/PNG/GIF/WebP）或 PDF 格式的票据"), field=field)
    return kind


def read_upload(storage, field: str = "receipts") -> bytes:
    """Read at most the limit + 1 bytes of an uploaded FileStorage."""
    return storage.stream.read(current_app.config["UPLOAD_MAX_BYTES"] + 1)


def attach(actor, doc_type: str, doc_id: int, filename: str, data: bytes, field: str = "receipts") -> Receipt:
    """Validate, write the file, add the row (flushed). The caller checks the actor may attach."""
    content_type, ext = check(data, field)
    stored = f"{uuid.uuid4().hex}.{ext}"
    stored_files.write(db.session, folder() / stored, data)  # removed again if the transaction rolls back
    receipt = Receipt(doc_type=doc_type, doc_id=doc_id, filename=_safe_name(filename, ext), stored_name=stored,
                      content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                      uploaded_by_id=actor.id)
    db.session.add(receipt)
    db.session.flush()
    audit.record(actor, "receipt.upload", receipt, after={"doc": f"{doc_type}#{doc_id}", "file": receipt.filename,
                                                           "sha256": receipt.sha256, "size": receipt.size})
    return receipt


def _safe_name(filename: str, ext: str) -> str:
    name = Path((filename or "").replace("\\", "/")).name.strip()[:150]
    return name or f"receipt.{ext}"


def for_doc(doc_type: str, doc_id: int) -> list[Receipt]:
    return list(db.session.scalars(select(Receipt).where(Receipt.doc_type == doc_type, Receipt.doc_id == doc_id)
                                   .order_by(Receipt.id)))


def counts(doc_type: str, doc_ids) -> dict[int, int]:
    ids = list(doc_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(Receipt.doc_id, db.func.count()).where(
        Receipt.doc_type == doc_type, Receipt.doc_id.in_(ids)).group_by(Receipt.doc_id))
    return dict(rows.all())


def can_download(user, receipt: Receipt) -> bool:
    rule = _VISIBILITY.get(receipt.doc_type)
    return bool(rule and rule(user, receipt.doc_id))


def path_of(receipt: Receipt) -> Path:
    return folder() / receipt.stored_name
