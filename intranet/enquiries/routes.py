"""Thin views over services.enquiries: scope (404), role (403), one service call, commit once."""

from flask import flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from ..clock import now_utc
from ..extensions import db
from ..models import Region, User
from ..models.enquiries import ENQUIRY_STATUSES, Enquiry
from ..services import customers as customer_rules
from ..services import enquiries as svc
from ..services.errors import DomainError
from ..web.excel import send_workbook, workbook
from ..web.form_errors import attach_error
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import CloseForm, ConvertForm, EnquiryForm, TakeForm

ROLES = svc.REGISTRARS


def _regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.id)))


@bp.get("/")
@role_required(*ROLES)
def index():
    status = request.args.get("status", "open")
    stmt = (svc.visible(current_user).options(selectinload(Enquiry.assignee), selectinload(Enquiry.region))
            .order_by(Enquiry.received_at.desc(), Enquiry.id.desc()))
    if status in ENQUIRY_STATUSES:
        stmt = stmt.where(Enquiry.status == status)
    elif status != "all":
        status = "open"
        stmt = stmt.where(Enquiry.status.in_(svc.OPEN))
    if request.args.get("mine"):
        stmt = stmt.where(Enquiry.assignee_id == current_user.id)
    if request.args.get("format") == "xlsx":
        rows = [(e.received_at, str(customer_rules.LEAD_SOURCE_LABELS[e.source]), e.company, e.contact_name, e.phone,
                 e.email, e.region.name if e.region else "", e.content, e.assignee.name, str(svc.STATUS_LABELS[e.status]),
                 e.outcome) for e in db.session.scalars(stmt)]
        headers = ["登记时间", "信息来源", "单位名称", "咨询人", "电话", "邮箱", "区域", "咨询内容", "跟进人", "状态", "结果"]
        return send_workbook(workbook("咨询登记", headers, rows), "enquiries.xlsx")
    return render("enquiries/index.html", "list", page=paginate(stmt), state=status, labels=svc.STATUS_LABELS,
                  sources=customer_rules.LEAD_SOURCE_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*ROLES)
def new():
    form = EnquiryForm()
    form.region.choices = [SelectChoice(0, "—")] + [SelectChoice(r.id, r.name) for r in _regions()]
    if form.validate_on_submit():
        try:
            item = svc.register(current_user, {
                "source": form.source.data, "company": form.company.data, "contact_name": form.contact_name.data,
                "phone": form.phone.data, "email": form.email.data, "region_id": form.region.data or None,
                "content": form.content.data}, now=now_utc())
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            commit()
            flash(_l("已登记咨询，已分派给 %(name)s", name=item.assignee.name), "success")
            return redirect(url_for("enquiries.detail", enquiry_id=item.id), 303)
    return render("enquiries/form.html", "form", form=form)


def _convert_form(item: Enquiry) -> ConvertForm:
    form = ConvertForm(name=item.company or item.contact_name)
    form.owner.choices = [SelectChoice(0, "—")] + [SelectChoice(u.id, u.name)
                                                   for u in customer_rules.assignable_owners(current_user)]
    if item.assignee.role == "rep" and request.method == "GET":
        form.owner.data = item.assignee_id
    return form


def _detail(item: Enquiry, **extra):
    may_act = item.status in svc.OPEN and (item.assignee_id == current_user.id
                                           or current_user.role in ("manager", "assistant"))
    return {"item": item, "labels": svc.STATUS_LABELS, "sources": customer_rules.LEAD_SOURCE_LABELS,
            "may_act": may_act, "take_form": TakeForm(), "close_form": CloseForm(),
            "convert_form": _convert_form(item), "may_pick_owner": current_user.role != "rep"} | extra


@bp.get("/<int:enquiry_id>")
@role_required(*ROLES)
def detail(enquiry_id):
    return render("enquiries/detail.html", **_detail(svc.get_or_404(current_user, enquiry_id)))


def _act(enquiry_id, form, work, done_message):
    item = svc.get_or_404(current_user, enquiry_id)
    if form.validate_on_submit():
        try:
            result = work(item)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            commit()
            flash(done_message, "success")
            return result
    else:
        for errors in form.errors.values():
            flash(errors[0], "error")
    return redirect(url_for("enquiries.detail", enquiry_id=item.id), 303)


@bp.post("/<int:enquiry_id>/take")
@role_required(*ROLES)
def take(enquiry_id):
    def work(item):
        svc.take(current_user, item, now=now_utc())
        return redirect(url_for("enquiries.detail", enquiry_id=item.id), 303)

    return _act(enquiry_id, TakeForm(), work, _l("已接手该咨询"))


@bp.post("/<int:enquiry_id>/close")
@role_required(*ROLES)
def close(enquiry_id):
    form = CloseForm()

    def work(item):
        svc.close(current_user, item, form.outcome.data)
        return redirect(url_for("enquiries.detail", enquiry_id=item.id), 303)

    return _act(enquiry_id, form, work, _l("已关闭该咨询"))


@bp.post("/<int:enquiry_id>/convert")
@role_required(*customer_rules.EDITORS)
def convert(enquiry_id):
    form = ConvertForm()
    form.owner.choices = [SelectChoice(0, "—")] + [SelectChoice(u.id, u.name)
                                                   for u in customer_rules.assignable_owners(current_user)]

    def work(item):
        owner = db.session.get(User, form.owner.data) if form.owner.data else None
        customer = svc.convert(current_user, item, owner=owner, name=(form.name.data or "").strip())
        return redirect(url_for("customers.detail", customer_id=customer.id), 303)

    return _act(enquiry_id, form, work, _l("已转为客户"))
