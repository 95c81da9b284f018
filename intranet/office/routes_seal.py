"""The seal log: seals in custody and every use, the request, the custodian's stamp / sign-out /
sign-back, and an unauthorised removal with the violation slip it leads to."""

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from ..models import User
from ..models.office import Seal, SealUse
from ..services import seals as svc
from ..services import violations as violation_svc
from ..services.errors import DomainError
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import IncidentForm, SealUseForm, ViolationFromIncidentForm
from .views import done, failed


@bp.context_processor
def _seal_labels():
    return {"seal_svc": svc}


def _incident_form(form=None):
    form = form or IncidentForm()
    form.seal_id.choices = [("", "—")] + [(s.id, s.name) for s in svc.seals()]
    form.taken_by_id.choices = [("", "—")] + [(u.id, u.name) for u in db.session.scalars(
        db.select(User).where(User.active).order_by(User.id))]
    return form


@bp.get("/seals")
@role_required(*svc.ROLES)
def seal_log():
    stmt = svc.visible_query(current_user).order_by(SealUse.id.desc())
    if request.args.get("format") == "xlsx":
        rows = [(u.number, u.seal.name, str(svc.KIND_LABELS[u.kind]), u.document, u.purpose, u.copies,
                 u.requested_by.name, str(svc.STATUS_LABELS[u.status]), u.approved_at, u.stamped_at, u.out_at, u.back_at)
                for u in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("用印登记", ["编号", "印章", "类型", "文件", "用途", "份数", "申请人", "状态", "批准时间",
                                               "用印时间", "带离时间", "归还时间"], rows), "seal-log.xlsx")
    keeper = current_user.role in svc.KEEPERS
    return render("office/seals.html", "list", page=paginate(stmt), seals=svc.seals(), keeper=keeper,
                  incidents=svc.incidents(current_user), incident_form=_incident_form() if keeper else None)


@bp.route("/seals/new", methods=["GET", "POST"])
@role_required(*svc.ROLES)
def seal_new():
    form = SealUseForm()
    form.seal_id.choices = [("", "—")] + [(s.id, s.name) for s in svc.seals()]
    if form.validate_on_submit():
        seal = db.session.get(Seal, form.seal_id.data) if form.seal_id.data else None
        try:
            use = svc.request(current_user, seal, {k: form[k].data for k in
                                                   ("kind", "document", "purpose", "copies", "due_back")})
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.seal_use", use_id=use.id), _l("用印申请 %(n)s 已提交审批", n=use.number))
    return render("office/seal_form.html", "form", form=form)


@bp.get("/seals/uses/<int:use_id>")
@role_required(*svc.ROLES)
def seal_use(use_id):
    use = svc.get_use_or_404(current_user, use_id)
    return render("office/seal_use.html", use=use, req=svc.approval_request(use),
                  keeper=current_user.role in svc.KEEPERS)


def _custodian_action(use_id, action, message):
    use = svc.get_use_or_404(current_user, use_id)
    action(current_user, use)
    commit()
    return done(url_for("office.seal_use", use_id=use.id), message)


@bp.post("/seals/uses/<int:use_id>/stamp")
@role_required(*svc.KEEPERS)
def seal_stamp(use_id):
    return _custodian_action(use_id, svc.log_stamped, _l("已登记用印"))


@bp.post("/seals/uses/<int:use_id>/out")
@role_required(*svc.KEEPERS)
def seal_out(use_id):
    return _custodian_action(use_id, svc.sign_out, _l("印章已借出，请申请人签字"))


@bp.post("/seals/uses/<int:use_id>/back")
@role_required(*svc.KEEPERS)
def seal_back(use_id):
    return _custodian_action(use_id, svc.sign_back, _l("印章已归还"))


@bp.post("/seals/incidents")
@role_required(*svc.KEEPERS)
def seal_incident():
    form = _incident_form(IncidentForm())
    if form.validate_on_submit():
        seal = db.session.get(Seal, form.seal_id.data) if form.seal_id.data else None
        taker = db.session.get(User, form.taken_by_id.data) if form.taken_by_id.data else None
        try:
            svc.report_removal(current_user, seal, taker, form.day.data, form.note.data)
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.seal_log"), _l("已登记，并通知带离人的直接上级"))
    stmt = svc.visible_query(current_user).order_by(SealUse.id.desc())
    return render("office/seals.html", "incident", page=paginate(stmt), seals=svc.seals(), keeper=True,
                  incidents=svc.incidents(current_user), incident_form=form)


@bp.post("/seals/incidents/<int:incident_id>/violation")
@role_required("supervisor", "manager", "director", "gm")
def seal_incident_violation(incident_id):
    incident = svc.get_incident_or_404(current_user, incident_id)
    form = ViolationFromIncidentForm()
    slip = svc.file_violation(current_user, incident, harm=bool(form.harm.data))
    commit()
    return done(url_for("attendance.violation_detail", violation_id=slip.id),
                _l("过失单已提交审批（%(rule)s）", rule=violation_svc.BY_CODE[slip.rule].label))
