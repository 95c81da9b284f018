"""The partner register (合作单位): the list with search and Excel, adding and editing a partner."""

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from ..models import Region
from ..models.office import PARTNER_KINDS
from ..services import partners as svc
from ..services import tenders
from ..services.errors import DomainError
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import PartnerForm
from .views import done, failed, q_arg


@bp.context_processor
def _partner_labels():
    return {"partner_reg": svc}


@bp.get("/partners")
@role_required(*svc.ROLES)
def partners():
    f = {"q": q_arg(), "kind": request.args.get("kind") if request.args.get("kind") in PARTNER_KINDS else "",
         "region": request.args.get("region", type=int)}
    stmt = svc.query(f["q"], f["kind"], f["region"])
    if request.args.get("format") == "xlsx":
        rows = [(p.name, str(svc.KIND_LABELS[p.kind]), p.region.name if p.region else "", p.contact, p.phone, p.notes,
                 "是" if p.active else "否") for p in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("合作单位", ["单位名称", "类别", "区域", "联系人", "电话", "备注", "在用"], rows),
                             "partners.xlsx")
    return render("office/partners.html", "list", page=paginate(stmt), f=f, regions=tenders.regions(),
                  can_edit=current_user.role in svc.EDITORS)


def _form(partner=None):
    form = PartnerForm(obj=partner) if partner is not None and request.method == "GET" else PartnerForm()
    form.region_id.choices = [("", "—")] + [(r.id, r.name) for r in tenders.regions()]
    if form.validate_on_submit():
        region = db.session.get(Region, form.region_id.data) if form.region_id.data else None
        try:
            saved = svc.save(current_user, partner, region, {k: form[k].data for k in (
                "name", "kind", "contact", "phone", "notes", "active")})
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.partners"), _l("已保存 %(n)s", n=saved.name))
    return render("office/partner_form.html", "form", form=form, partner=partner)


@bp.route("/partners/new", methods=["GET", "POST"])
@role_required(*svc.EDITORS)
def partner_new():
    return _form()


@bp.route("/partners/<int:partner_id>", methods=["GET", "POST"])
@role_required(*svc.EDITORS)
def partner_edit(partner_id):
    return _form(svc.get_or_404(partner_id))
