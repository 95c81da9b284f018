"""The archive pages: the file list and search, a file (contents and scans only for readers), the
consent request, the keeper's sign-out and sign-in, and the loan register."""


from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from ..models import User
from ..models.office import ARCHIVE_CLASSES, ArchiveLoan
from ..services import approvals
from ..services import archive as svc
from ..services.errors import DomainError
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from ..web.uploads import send_stored, upload
from . import bp
from .forms import AccessForm, ArchiveFileForm, LoanForm, ScanForm
from .views import done, failed, q_arg

ROLES = svc.ROLES
EDITORS = (*svc.KEEPERS, "manager")


@bp.context_processor
def _labels():
    return {"archive_svc": svc}


@bp.get("/archive")
@role_required(*ROLES)
def archive():
    q = q_arg()
    klass = request.args.get("klass") if request.args.get("klass") in ARCHIVE_CLASSES else ""
    stmt = svc.search(current_user, q, klass)
    if request.args.get("format") == "xlsx":
        rows = [(f.number, str(svc.CLASS_LABELS[f.klass]), f.title, f.location, str(svc.RETENTION_LABELS[f.retention]))
                for f in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("资料档案", ["档案号", "类别", "案卷题名", "存放位置", "保管期限"], rows), "archive.xlsx")
    return render("office/archive.html", "list", page=paginate(stmt), f={"q": q, "klass": klass},
                  can_edit=current_user.role in EDITORS)


def _file_form(file):
    form = ArchiveFileForm(obj=file) if request.method == "GET" and file else ArchiveFileForm()
    if form.validate_on_submit():
        try:
            file = svc.save_file(current_user, file, {k: form[k].data for k in
                                                      ("title", "klass", "retention", "location", "contents")})
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.archive_file", file_id=file.id), _l("档案 %(n)s 已保存", n=file.number))
    return render("office/archive_form.html", "form", form=form, file=file)


@bp.route("/archive/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def archive_new():
    return _file_form(None)


@bp.route("/archive/<int:file_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def archive_edit(file_id):
    return _file_form(svc.get_file_or_404(current_user, file_id))


def _file_page(file, access_form=None, loan_form=None, scan_form=None, status=200):
    readable = svc.can_read(current_user, file)
    keeper = current_user.role in svc.KEEPERS
    if loan_form is None and keeper:
        loan_form = LoanForm()
    if loan_form is not None:
        loan_form.borrower_id.choices = [("", "—")] + [(u.id, u.name) for u in svc.lendable_people()]
    loans = db.session.scalars(db.select(ArchiveLoan).where(ArchiveLoan.file_id == file.id)
                               .order_by(ArchiveLoan.id.desc()).limit(20)).all() if readable else []
    return render("office/archive_file.html", file=file, readable=readable, keeper=keeper,
                  consent=svc.consent(current_user, file), mine=svc.my_requests(current_user, file),
                  access_form=access_form or AccessForm(), loan_form=loan_form, scan_form=scan_form or ScanForm(),
                  open_loan=svc.open_loan(file), loans=loans, status=status,
                  can_edit=current_user.role in EDITORS)


@bp.get("/archive/<int:file_id>")
@role_required(*ROLES)
def archive_file(file_id):
    return _file_page(svc.get_file_or_404(current_user, file_id))


@bp.post("/archive/<int:file_id>/scans")
@role_required(*EDITORS)
def archive_scan(file_id):
    file = svc.get_file_or_404(current_user, file_id)
    form = ScanForm()
    response = upload(form, lambda name, data: svc.add_scan(current_user, file, name, data),
                      url_for("office.archive_file", file_id=file.id), _l("扫描件已上传"), missing=_l("请选择要上传的扫描件"))
    return response or _file_page(file, scan_form=form)


@bp.get("/archive/<int:file_id>/scans/<int:scan_id>")
@role_required(*ROLES)
def archive_scan_download(file_id, scan_id):
    file = svc.get_file_or_404(current_user, file_id)
    scan, data = svc.scan_for_download(current_user, file, scan_id)
    return send_stored(data, scan.content_type, scan.filename)


@bp.post("/archive/<int:file_id>/access")
@role_required(*ROLES)
def archive_access(file_id):
    file = svc.get_file_or_404(current_user, file_id)
    form = AccessForm()
    if form.validate_on_submit():
        try:
            svc.request_access(current_user, file, form.purpose.data)
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.archive_file", file_id=file.id), _l("查阅申请已提交，等待部门领导同意"))
    return _file_page(file, access_form=form)


@bp.get("/archive/access/<int:access_id>")
@role_required(*ROLES)
def access_detail(access_id):
    access = svc.get_access_or_404(current_user, access_id)
    req = approvals.request_for(svc.DOC_TYPE, access.id)
    return render("office/access.html", access=access, req=req)


@bp.post("/archive/<int:file_id>/lend")
@role_required(*svc.KEEPERS)
def archive_lend(file_id):
    file = svc.get_file_or_404(current_user, file_id)
    form = LoanForm()
    if form.validate_on_submit():
        borrower = db.session.get(User, form.borrower_id.data) if form.borrower_id.data else None
        try:
            svc.lend(current_user, file, borrower, form.purpose.data, form.due_on.data)
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.archive_file", file_id=file.id), _l("已借出，请借阅人签字"))
    return _file_page(file, loan_form=form)


@bp.post("/archive/loans/<int:loan_id>/return")
@role_required(*svc.KEEPERS)
def loan_return(loan_id):
    loan = svc.get_loan_or_404(current_user, loan_id)
    svc.take_back(current_user, loan)
    commit()
    return done(url_for("office.archive_file", file_id=loan.file_id), _l("已归还入库"))


@bp.get("/archive/loans")
@role_required(*ROLES)
def loans():
    overdue = request.args.get("overdue") == "1"
    stmt = svc.loans_query(current_user, overdue)
    if request.args.get("format") == "xlsx":
        rows = [(ln.file.number, ln.file.title, ln.borrower.name, ln.purpose, ln.out_at, ln.due_on, ln.back_at,
                 ln.lent_by.name) for ln in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("档案借阅登记", ["档案号", "案卷题名", "借阅人", "用途", "借出时间", "应还日期", "归还时间",
                                                 "经办人"], rows), "archive-loans.xlsx")
    return render("office/loans.html", "list", page=paginate(stmt), f={"overdue": overdue})
