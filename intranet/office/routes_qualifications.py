"""The company's licences and qualifications (公司资质): the searchable list, a qualification with its
scan (downloaded by every office role), the keepers' form and upload."""


from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import clock
from ..services import archive
from ..services import qualifications as svc
from ..services.errors import DomainError
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from ..web.uploads import send_stored, upload
from . import bp
from .forms import QualificationForm, ScanForm
from .views import done, failed, q_arg

ROLES = archive.ROLES


@bp.get("/qualifications")
@role_required(*ROLES)
def qualifications():
    q = q_arg()
    return render("office/qualifications.html", "list", page=paginate(svc.search(q)), f={"q": q},
                  today=clock.today_local(), can_edit=current_user.role in svc.EDITORS)


def _form(qual):
    form = QualificationForm(obj=qual) if request.method == "GET" and qual else QualificationForm()
    if form.validate_on_submit():
        try:
            qual = svc.save(current_user, qual, {k: form[k].data for k in ("name", "number", "issuer", "expires_on")})
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.qualification_detail", qual_id=qual.id), _l("公司资质已保存"))
    return render("office/qualification_form.html", "form", form=form, qual=qual)


@bp.route("/qualifications/new", methods=["GET", "POST"])
@role_required(*svc.EDITORS)
def qualification_new():
    return _form(None)


@bp.route("/qualifications/<int:qual_id>/edit", methods=["GET", "POST"])
@role_required(*svc.EDITORS)
def qualification_edit(qual_id):
    return _form(svc.get_or_404(current_user, qual_id))


def _page(qual, scan_form=None):
    return render("office/qualification.html", qual=qual, scan_form=scan_form or ScanForm(),
                  today=clock.today_local(), can_edit=current_user.role in svc.EDITORS)


@bp.get("/qualifications/<int:qual_id>")
@role_required(*ROLES)
def qualification_detail(qual_id):
    return _page(svc.get_or_404(current_user, qual_id))


@bp.post("/qualifications/<int:qual_id>/scan")
@role_required(*svc.EDITORS)
def qualification_scan(qual_id):
    qual = svc.get_or_404(current_user, qual_id)
    form = ScanForm()
    response = upload(form, lambda name, data: svc.attach_scan(current_user, qual, name, data),
                      url_for("office.qualification_detail", qual_id=qual.id), _l("扫描件已上传"), missing=_l("请选择要上传的扫描件"))
    return response or _page(qual, scan_form=form)


@bp.get("/qualifications/<int:qual_id>/download")
@role_required(*ROLES)
def qualification_download(qual_id):
    qual = svc.get_or_404(current_user, qual_id)
    data = svc.scan_for_download(current_user, qual)
    return send_stored(data, qual.content_type, qual.filename)
