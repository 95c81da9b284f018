"""Customer imports from Excel: upload → preview (nothing saved) → confirm (valid rows only).

A sheet of up to INLINE_ROWS rows is checked in the request. A larger one (a 20,000-row sheet takes
seconds to check, and would meet the web server's timeout as it grows) is stored and checked by the
worker, then saved by the worker once confirmed; its page follows the progress. The rules of what a
valid row is live in services/customers.py (parse_rows / import_rows) and are the same for both.

Previews that are never confirmed are not kept: their files go after PREVIEW_HOURS.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import timedelta
from io import BytesIO
from pathlib import Path

from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from redis.exceptions import RedisError
from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select

from ..clock import now_utc
from ..extensions import db
from ..jobs.runtime import enqueue, redis_connection
from ..models import ImportBatch, User
from ..models.imports import CHECKING, DONE, FAILED, IMPORTING, READY, RUNNING
from . import customers
from .errors import DomainError, Forbidden

log = logging.getLogger(__name__)

INLINE_ROWS = 1000
PREVIEW_HOURS = 24
# A batch still running this long after its last step lost its worker (killed, machine restarted).
ABANDONED_AFTER = timedelta(minutes=30)

STATUS_LABELS = {CHECKING: _l("检查中"), READY: _l("待确认"), IMPORTING: _l("导入中"), DONE: _l("已导入"),
                 FAILED: _l("失败")}
UNREADABLE = _l("无法读取文件，请上传 .xlsx 格式的 Excel 文件")


# ---- reading the sheet -------------------------------------------------------------

def open_sheet(data: bytes):
    """(number of data rows, iterator of (excel row number, cells)); DomainError when unreadable."""
    try:
        ws = load_workbook(BytesIO(data), read_only=True, data_only=True).active
        rows = enumerate(ws.iter_rows(min_row=2, values_only=True), start=2)
        total = max((ws.max_row or 1) - 1, 0)
    except Exception as exc:  # any unreadable upload is the user's problem, said next to the field
        raise DomainError(UNREADABLE, field="file") from exc
    return total, rows


# ---- files -------------------------------------------------------------------------

def directory() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _file(token: str, suffix: str) -> Path:
    if not token.isalnum():
        abort(404)
    return directory() / f"customers-{token}{suffix}"


def drop_stale_previews() -> None:
    """An upload that was never confirmed is not kept for ever (a 20,000-row preview is ~4 MB)."""
    cutoff = now_utc().timestamp() - PREVIEW_HOURS * 3600
    for path in directory().glob("customers-*"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def save_preview(actor: User, result: customers.ImportResult, token: str | None = None) -> str:
    token = token or secrets.token_hex(16)
    _file(token, ".json").write_text(json.dumps(
        {"user_id": actor.id, "valid": result.valid, "errors": result.errors}, ensure_ascii=False))
    return token


def load_preview(actor: User, token: str) -> customers.ImportResult:
    """The stored preview of `actor`'s upload, or 404 (unknown, used, or someone else's)."""
    path = _file(token, ".json")
    if not path.exists():
        abort(404)
    data = json.loads(path.read_text())
    if data["user_id"] != actor.id:
        abort(404)
    return customers.ImportResult(valid=data["valid"], errors=data["errors"])


def confirm_inline(actor: User, token: str) -> int:
    """Save the valid rows of a small (in-request) preview."""
    return len(customers.import_rows(actor, load_preview(actor, token).valid))


def discard_preview(token: str) -> None:
    """After the confirmed rows are committed: the preview is used once."""
    _file(token, ".json").unlink(missing_ok=True)


# ---- the queued path ---------------------------------------------------------------

def start(actor: User, data: bytes, total: int) -> ImportBatch:
    """Store a large upload and have the worker check it. Redis down: refused, nothing kept."""
    if actor.role not in customers.IMPORTERS:
        raise Forbidden(_l("您不能导入客户"))
    drop_stale_previews()
    batch = ImportBatch(token=secrets.token_hex(16), user_id=actor.id, total_rows=total, status=CHECKING)
    db.session.add(batch)
    db.session.flush()
    _file(batch.token, ".xlsx").write_bytes(data)
    db.session.commit()  # the worker must find the row
    if not _enqueue("intranet.jobs.imports.check_customer_import", batch, "check"):
        _fail(batch, str(_l("后台任务服务暂时不可用，请稍后再上传")))
        raise DomainError(_l("后台任务服务暂时不可用，请稍后再上传"), field="file")
    return batch


def get_or_404(actor: User, token: str) -> ImportBatch:
    batch = db.session.scalar(select(ImportBatch).where(ImportBatch.token == token)) if token.isalnum() else None
    if batch is None or batch.user_id != actor.id:
        abort(404)
    return batch


def confirm(actor: User, batch: ImportBatch) -> None:
    """READY → IMPORTING, once: a second click (or a second tab) finds it already under way."""
    locked = db.session.scalar(select(ImportBatch).where(ImportBatch.id == batch.id).with_for_update())
    if locked.user_id != actor.id:
        abort(404)
    if locked.status != READY:
        raise DomainError(_l("这批导入已确认过或已失效"))
    locked.status = IMPORTING
    db.session.commit()
    if not _enqueue("intranet.jobs.imports.run_customer_import", locked, "run"):
        locked.status = READY  # nothing was saved: the user may confirm again later
        db.session.commit()
        raise DomainError(_l("后台任务服务暂时不可用，请稍后再确认"))


def preview_of(actor: User, batch: ImportBatch) -> customers.ImportResult | None:
    return load_preview(actor, batch.token) if batch.status == READY else None


def progress(batch: ImportBatch) -> dict:
    """{"done": rows handled so far, "total": rows, "abandoned": the worker is gone}."""
    done, job_lost = 0, False
    try:
        job = Job.fetch(_job_id(batch, "check" if batch.status == CHECKING else "run"), connection=_redis())
        done = int(job.get_meta(refresh=True).get("done", 0))
        job_lost = job.get_status(refresh=False) in ("failed", "stopped", "canceled")
    except NoSuchJobError:
        job_lost = batch.status in RUNNING
    except RedisError:
        pass  # the page says "in progress" without a figure until Redis is back
    stale = now_utc() - batch.created_at > ABANDONED_AFTER
    total = batch.valid_rows if batch.status == IMPORTING else batch.total_rows
    return {"done": min(done, total), "total": total, "abandoned": batch.status in RUNNING and (job_lost or stale)}


def check(batch_id: int) -> None:
    """Worker: check every row of the stored sheet and keep the preview for the user to confirm."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.status != CHECKING:
        return  # already handled (a retried or duplicated job)
    try:
        path = _file(batch.token, ".xlsx")
        _total, rows = open_sheet(path.read_bytes())
        result = customers.parse_rows(batch.user, rows, progress=_report)
        save_preview(batch.user, result, token=batch.token)
        path.unlink(missing_ok=True)
    except Exception as exc:
        db.session.rollback()
        log.exception("customer import %s could not be checked", batch_id)
        _fail(batch, exc.message if isinstance(exc, DomainError) else str(_l("检查时出错，请重新上传")))
        return
    batch.status, batch.valid_rows, batch.error_rows = READY, len(result.valid), len(result.errors)
    db.session.commit()


def run(batch_id: int) -> None:
    """Worker: save the confirmed preview's valid rows, all or none."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.status != IMPORTING:
        return
    try:
        valid = load_preview(batch.user, batch.token).valid
        created = customers.import_rows(batch.user, valid, progress=_report)
    except Exception:
        db.session.rollback()
        log.exception("customer import %s could not be saved", batch_id)
        _fail(batch, str(_l("导入时出错，没有保存任何客户，请重新上传")))
        return
    batch.status, batch.imported_rows, batch.finished_at = DONE, len(created), now_utc()
    db.session.commit()
    _file(batch.token, ".json").unlink(missing_ok=True)


def _fail(batch: ImportBatch, message: str) -> None:
    batch = db.session.get(ImportBatch, batch.id)
    batch.status, batch.error, batch.finished_at = FAILED, message, now_utc()
    db.session.commit()
    for suffix in (".xlsx", ".json"):
        _file(batch.token, suffix).unlink(missing_ok=True)


def _report(done: int) -> None:
    """Progress of the job that is running, kept in its RQ metadata (read by the status page)."""
    job = get_current_job()
    if job is not None:
        job.meta["done"] = done
        job.save_meta()


def _job_id(batch: ImportBatch, step: str) -> str:
    return f"customer-import-{batch.token}-{step}"


def _redis():
    return redis_connection()


def _enqueue(func_path: str, batch: ImportBatch, step: str) -> bool:
    return enqueue(func_path, batch.id, job_id=_job_id(batch, step))
