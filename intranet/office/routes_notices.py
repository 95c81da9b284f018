"""Notices and the policy library: the list (to read, issued, library), circulate, the notice with
its read/unread register, 阅 and 批."""


from flask import abort, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from ..models.office import NOTICE_KINDS
from ..models.people import ROLE_LABELS
from ..services import notices as svc
from ..services.errors import DomainError
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from ..web.uploads import send_stored, upload
from . import bp
from .forms import NoticeForm, ScanForm, SignForm
from .views import done, failed, q_arg


@bp.context_processor
def _notice_labels():
    return {"notice_svc": svc}


@bp.get("/")
@role_required(*svc.ROLES)
def notices():
    q = q_arg()
    kind = request.args.get("kind") if request.args.get("kind") in NOTICE_KINDS else ""
    unread = request.args.get("unread") == "1"
    stmt = svc.visible_query(current_user, q, kind, unread)
    if request.args.get("format") == "xlsx":
        rows = [(n.number, str(svc.KIND_LABELS[n.kind]), n.title, n.issued_by.name, n.issued_at, len(n.recipients),
                 len(svc.unread(n))) for n in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("通知制度", ["编号", "类别", "标题", "发布人", "发布时间", "传阅人数", "未阅人数"], rows),
                             "notices.xlsx")
    return render("office/notices.html", "list", page=paginate(stmt), f={"q": q, "kind": kind, "unread": unread},
                  waiting=svc.waiting_for(current_user), can_issue=current_user.role in svc.ISSUERS)


@bp.route("/notices/new", methods=["GET", "POST"])
@role_required(*svc.ISSUERS)
def notice_new():
    form = NoticeForm()
    people = svc.people()
    form.roles.choices = [(r, ROLE_LABELS[r]) for r in svc.ROLES]
    form.user_ids.choices = [(u.id, u.name) for u in people if u.id != current_user.id]
    form.sign_ids.choices = [(u.id, u.name) for u in people if u.role in svc.LEADERS and u.id != current_user.id]
    if form.validate_on_submit():
        try:
            notice = svc.circulate(current_user, {"kind": form.kind.data, "title": form.title.data,
                                                  "body": form.body.data, "roles": form.roles.data or [],
                                                  "user_ids": form.user_ids.data or [],
                                                  "sign_ids": form.sign_ids.data or []})
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.notice_detail", notice_id=notice.id), _l("已传阅 %(n)s 人",
                                                                                   n=len(notice.recipients)))
    return render("office/notice_form.html", "form", form=form)


def _notice_page(notice, sign_form=None, file_form=None):
    return render("office/notice.html", notice=notice, me=svc.recipient(current_user, notice),
                  files=svc.files_of(notice), can_download=svc.can_download(current_user, notice),
                  can_attach=svc.can_attach(current_user, notice), file_form=file_form or ScanForm(),
                  register=svc.can_see_register(current_user, notice), unread=svc.unread(notice),
                  unsigned=svc.unsigned(notice), sign_form=sign_form or SignForm())


@bp.get("/notices/<int:notice_id>")
@role_required(*svc.ROLES)
def notice_detail(notice_id):
    return _notice_page(svc.get_visible_or_404(current_user, notice_id))


@bp.post("/notices/<int:notice_id>/read")
@role_required(*svc.ROLES)
def notice_read(notice_id):
    notice = svc.get_visible_or_404(current_user, notice_id)
    svc.acknowledge(current_user, notice)
    commit()
    return done(url_for("office.notice_detail", notice_id=notice.id), _l("已阅读确认"))


@bp.post("/notices/<int:notice_id>/sign")
@role_required(*svc.LEADERS)
def notice_sign(notice_id):
    notice = svc.get_visible_or_404(current_user, notice_id)
    form = SignForm()
    if form.validate_on_submit():
        try:
            svc.sign(current_user, notice, form.comment.data)
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.notice_detail", notice_id=notice.id), _l("已批示"))
    return _notice_page(notice, sign_form=form)


@bp.post("/notices/<int:notice_id>/files")
@role_required(*svc.ROLES)
def notice_file(notice_id):
    notice = svc.get_visible_or_404(current_user, notice_id)
    if not svc.can_attach(current_user, notice):
        abort(403)  # before anything about the file
    form = ScanForm()
    response = upload(form, lambda name, data: svc.add_file(current_user, notice, name, data),
                      url_for("office.notice_detail", notice_id=notice.id), _l("附件已上传"))
    return response or _notice_page(notice, file_form=form)


@bp.get("/notices/<int:notice_id>/files/<int:notice_file_id>")
@role_required(*svc.ROLES)
def notice_file_download(notice_id, notice_file_id):
    notice = svc.get_visible_or_404(current_user, notice_id)
    row, data = svc.file_for_download(current_user, notice, notice_file_id)
    return send_stored(data, row.content_type, row.filename)
