"""Certificates verified (证照查验, SPEC 2.9): a certificate carries its scan (扫描件); the desk checks
it against the issuing register and records who checked, when and where (查验途径). A check that
found the certificate not genuine makes selling to the customer illegal until a later check
passes (services/orders.legality_problem)."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

from flask import abort, current_app
from flask_babel import lazy_gettext as _l

from ..clock import now_utc, today_local
from ..extensions import db
from ..models import User
from ..models.customers import CHECK_RESULTS, Certificate, CertificateCheck
from . import audit, stored_files
from .customers import EDITORS, can_see_rep
from .errors import DomainError, Forbidden

VERIFIERS = ("assistant", "manager")
VIEWERS = ("rep", "supervisor", "manager", "director", "gm", "assistant")
SCAN_TYPES = {".jpg", ".jpeg", ".png", ".pdf"}
MAX_SCAN = 10 * 1024 * 1024
RESULT_LABELS = {"valid": _l("真实有效"), "invalid": _l("不符或无效")}


def scan_dir() -> Path:
    folder = Path(current_app.config["INSTANCE_DIR"]) / "certificate_scans"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def get_or_404(user: User, cert_id: int) -> Certificate:
    cert = db.session.get(Certificate, cert_id)
    if cert is None or user.role not in VIEWERS or not can_see_rep(user, cert.customer.owner_id):
        abort(404)
    return cert


def can_upload(user: User, cert: Certificate) -> bool:
    return user.role in EDITORS and can_see_rep(user, cert.customer.owner_id)


def upload_scan(actor: User, cert: Certificate, name: str, data: bytes) -> Certificate:
    """The scan replaces the previous one; the checks made on the old scan stay in the history."""
    if not can_upload(actor, cert):
        raise Forbidden(_l("您不能维护该客户的证照"))
    suffix = Path(name or "").suffix.lower()
    if suffix not in SCAN_TYPES:
        raise DomainError(_l("扫描件请上传 JPG、PNG 或 PDF 文件"), field="scan")
    if not data or len(data) > MAX_SCAN:
        raise DomainError(_l("扫描件不能为空，也不能超过 10 MB"), field="scan")
    before = cert.scan_name
    cert.scan_name = f"{uuid4().hex}{suffix}"
    stored_files.write(db.session, scan_dir() / cert.scan_name, data)
    db.session.flush()
    audit.record(actor, "customer.certificate.scan", cert.customer, before={"certificate": cert.name, "scan": before},
                 after={"certificate": cert.name, "scan": cert.scan_name})
    return cert


def verify(actor: User, cert: Certificate, where: str, result: str, note: str = "") -> CertificateCheck:
    """证照查验: against the scan, by someone at the desk, with where it was checked."""
    if actor.role not in VERIFIERS or not can_see_rep(actor, cert.customer.owner_id):
        raise Forbidden(_l("证照由销售内勤或销售经理查验"))
    if not cert.scan_name:
        raise DomainError(_l("请先上传证照扫描件再查验"), field="scan")
    where, note = (where or "").strip(), (note or "").strip()
    if not where:
        raise DomainError(_l("请填写查验途径（在哪里核对的）"), field="checked_where")
    if len(where) > 120:
        raise DomainError(_l("查验途径最多 120 个字"), field="checked_where")
    if result not in CHECK_RESULTS:
        raise DomainError(_l("请选择查验结果"), field="result")
    if len(note) > 200:
        raise DomainError(_l("备注最多 200 个字"), field="note")
    if result == "invalid" and not note:
        raise DomainError(_l("查验不符时请写明情况"), field="note")
    check = CertificateCheck(certificate_id=cert.id, checked_by_id=actor.id, checked_at=now_utc(),
                             checked_on=today_local(), checked_where=where, result=result, note=note)
    check.checked_by = actor
    cert.checks.insert(0, check)
    db.session.flush()
    audit.record(actor, "customer.certificate.check", cert.customer,
                 after={"certificate": cert.name, "where": where, "result": result, "note": note})
    return check


def latest(cert: Certificate) -> CertificateCheck | None:
    return cert.checks[0] if cert.checks else None


def failed(cert: Certificate) -> bool:
    """The latest check found the certificate not genuine."""
    check = latest(cert)
    return check is not None and check.result == "invalid"
