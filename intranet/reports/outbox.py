"""The outbox page: emails pending, sending, sent and failed (with the error), and retry."""

from flask import flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from ..jobs.mail import enqueue_email
from ..models import Email
from ..services import outbox as svc
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import EmptyForm


@bp.get("/outbox")
@role_required(*svc.READERS)
def outbox():
    status = request.args.get("status", "") if request.args.get("status") in svc.STATUSES else ""
    q = request.args.get("q", "").strip()[:60]
    stmt = svc.query(status, q)
    if request.args.get("format") == "xlsx":
        rows = [(e.id, e.created_at, e.to_addr, e.subject, str(svc.STATUS_LABELS[e.status]), e.attempts, e.sent_at,
                 e.last_error) for e in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("发件箱", ["编号", "创建时间", "收件人", "主题", "状态", "尝试次数", "发送时间", "错误"], rows),
                             "outbox.xlsx")
    return render("reports/outbox.html", "list", page=paginate(stmt), f={"status": status, "q": q},
                  counts=svc.counts(), form=EmptyForm(), labels=svc.STATUS_LABELS)


@bp.post("/outbox/<int:email_id>/retry")
@role_required(*svc.READERS)
def outbox_retry(email_id):
    db.get_or_404(Email, email_id)
    row = svc.retry(current_user, email_id)  # not failed: 409 with the message
    commit()
    enqueue_email(row.id)
    flash(_l("已重新排队发送"), "success")
    return redirect(url_for("reports.outbox", status="failed"), 303)
