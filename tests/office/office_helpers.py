"""Helpers for the office tests, made through the real services (the approval engine included)."""

from intranet.extensions import db
from intranet.services import approvals, archive

SECRET = "保密付款条款XYZ"


def restricted_file(users, title="测试合同档案"):
    """A contract file whose contents list holds SECRET, with one scan (committed)."""
    file = archive.save_file(users["assistant"], None, {"title": title, "klass": "contract", "retention": "long",
                                                        "location": "A1", "contents": f"合同正本\n{SECRET}"})
    archive.add_scan(users["assistant"], file, "扫描件.pdf", b"%PDF-1.4\n% test\n%%EOF\n")
    db.session.commit()
    return file


def approve_all(doc_type, doc):
    req = approvals.request_for(doc_type, doc.id)
    while req.status == "pending":
        approvals.decide(approvals.step_deciders(req, req.step)[0], req.id, "approve", "同意")
    db.session.commit()
    return req
