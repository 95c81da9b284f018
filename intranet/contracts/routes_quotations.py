"""Quotation pages (报价单) at /contracts/quotations/: list, new/edit form, detail with the review history
and the buttons per status, the printable quotation. Thin views: the record in the user's scope (404),
the role (403), one service call, commit once."""

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_
from sqlalchemy.orm import selectinload

from ..clock import today_local
from ..extensions import db
from ..models.contracts import QUOTATION_STATUSES, Quotation
from ..models.customers import Customer
from ..services import approvals, settings
from ..services import contracts as svc
from ..services.errors import DomainError
from ..web.actions import act, done
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.pickers import pinyin_choices
from ..web.rendering import render
from ..web.transaction import commit
from . import CONTRACT_ROLES, bp, lines
from .forms import ButtonForm, ConvertForm, QuotationForm


def _filtered():
    stmt = (svc.visible_quotations(current_user).join(Quotation.customer)
            .options(selectinload(Quotation.customer), selectinload(Quotation.rep)))
    if q := request.args.get("customer", "").strip()[:60]:
        stmt = stmt.where(or_(Customer.name.contains(q, autoescape=True), Quotation.number.contains(q, autoescape=True)))
    if (status := request.args.get("status", "")) in QUOTATION_STATUSES:
        stmt = stmt.where(Quotation.status == status)
    return stmt.order_by(Quotation.created_at.desc(), Quotation.id.desc())  # newest written first


@bp.get("/quotations")
@role_required(*CONTRACT_ROLES)
def quotations():
    return render("contracts/quotations.html", "list", page=paginate(_filtered()), statuses=QUOTATION_STATUSES)


def _form_page(form, quotation, typed):
    return render("contracts/quotation_form.html", "form", form=form, quotation=quotation,
                  lines=lines.padded(typed), line_errors=getattr(form, "line_errors", {}), products=svc.products())


def _choices(form) -> QuotationForm:
    form.customer_id.choices = [("", "—")] + pinyin_choices(svc.customers_for(current_user))
    return form


def _valid_until(form):
    if form.valid_until.data is None:
        form.valid_until.errors = [*form.valid_until.errors, str(_l("请填写报价有效期"))]
        return False
    return True


@bp.route("/quotations/new", methods=["GET", "POST"])
@role_required(*svc.WRITERS)
def quotation_new():
    form = _choices(QuotationForm())
    if request.method == "GET":
        form.customer_id.data = request.args.get("customer", type=int)
    if form.validate_on_submit() and _valid_until(form):
        quotation = lines.save(form, lambda customer, typed: svc.create_quotation(
            current_user, customer, typed, form.valid_until.data, form.terms.data))
        if quotation is not None:
            commit()
            return done(url_for("contracts.quotation", quotation_id=quotation.id),
                        _l("报价单 %(number)s 已保存，请提交评审", number=quotation.number))
    return _form_page(form, None, lines.from_form() if request.method == "POST" else [])


@bp.route("/quotations/<int:quotation_id>/edit", methods=["GET", "POST"])
@role_required(*svc.WRITERS)
def quotation_edit(quotation_id):
    quotation = svc.get_or_404(current_user, Quotation, quotation_id)
    url = url_for("contracts.quotation", quotation_id=quotation.id)
    if not svc.may_edit(current_user, quotation):
        return done(url, _l("该报价单当前不能修改"), "error")
    form = _choices(QuotationForm(obj=quotation))
    if form.validate_on_submit() and _valid_until(form):
        saved = lines.save(form, lambda customer, typed: svc.update_quotation(
            current_user, quotation, customer, typed, form.valid_until.data, form.terms.data))
        if saved is not None:
            commit()
            return done(url, _l("报价单已修改"))
    typed = lines.from_form() if request.method == "POST" else lines.from_document(quotation)
    return _form_page(form, quotation, typed)


@bp.get("/quotations/<int:quotation_id>")
@role_required(*CONTRACT_ROLES)
def quotation(quotation_id):
    quotation = svc.get_or_404(current_user, Quotation, quotation_id)
    return render("contracts/quotation.html", q=quotation, req=approvals.request_for(svc.QUOTATION_TYPE, quotation.id),
                  button_form=ButtonForm(), convert_form=ConvertForm(), may_edit=svc.may_edit(current_user, quotation))


@bp.post("/quotations/<int:quotation_id>/submit")
@role_required(*svc.WRITERS)
def quotation_submit(quotation_id):
    quotation = svc.get_or_404(current_user, Quotation, quotation_id)
    return act(url_for("contracts.quotation", quotation_id=quotation.id),
               lambda: svc.submit_quotation(current_user, quotation), _l("报价单已提交销售经理评审"))


@bp.post("/quotations/<int:quotation_id>/sent")
@role_required(*svc.WRITERS)
def quotation_sent(quotation_id):
    quotation = svc.get_or_404(current_user, Quotation, quotation_id)
    return act(url_for("contracts.quotation", quotation_id=quotation.id),
               lambda: svc.mark_sent(current_user, quotation), _l("报价单已标记为已发出"))


@bp.post("/quotations/<int:quotation_id>/convert")
@role_required(*svc.WRITERS)
def quotation_convert(quotation_id):
    quotation = svc.get_or_404(current_user, Quotation, quotation_id)
    form = ConvertForm()
    url = url_for("contracts.quotation", quotation_id=quotation.id)
    if not form.validate_on_submit():
        return done(url, _l("请重新提交"), "error")
    try:
        contract = svc.contract_from_quotation(current_user, quotation, kind=form.kind.data)
    except DomainError as exc:
        db.session.rollback()
        return done(url, exc.message, "error")
    commit()
    return done(url_for("contracts.detail", contract_id=contract.id),
                _l("已转为合同 %(number)s，请补充交货条件后提交合同评审", number=contract.number))


@bp.get("/quotations/<int:quotation_id>/print")
@role_required(*CONTRACT_ROLES)
def quotation_print(quotation_id):
    quotation = svc.get_or_404(current_user, Quotation, quotation_id)
    company = {k: settings.get(f"company_{k}") for k in ("name", "address", "phone")}
    return render("contracts/quotation_print.html", q=quotation, company=company, printed_on=today_local(),
                  req=approvals.request_for(svc.QUOTATION_TYPE, quotation.id))
