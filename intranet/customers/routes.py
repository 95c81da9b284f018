"""Thin views over services.customers: every record is loaded through the viewer's scope."""


from flask import abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..extensions import db, htmx
from ..models import Region, User
from ..models.customers import Certificate, Contact, Interaction
from ..services import customer_imports as imports
from ..services import customers as svc
from ..services.errors import DomainError
from ..web.excel import send_workbook, workbook
from ..web.form_errors import attach_error as _field_error
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.pickers import pinyin_choices
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import (
    CertificateForm,
    ContactForm,
    CustomerForm,
    ImportForm,
    InteractionForm,
    OwnerForm,
    ResolveForm,
)

VIEWERS = ("rep", "supervisor", "manager", "director", "gm", "assistant")


def _regions():
    return list(db.session.scalars(select(Region).order_by(Region.id)))


@bp.get("/")
@role_required(*VIEWERS)
def index():
    args = request.args
    q = args.get("q", "").strip()
    stmt = svc.filtered(current_user, q=q, kind=args.get("kind", ""), stage=args.get("stage", ""),
                        region_id=args.get("region", type=int), owner_id=args.get("owner", type=int))
    if args.get("format") == "xlsx":
        rows = [(c.name, str(svc.KIND_LABELS[c.kind]), str(svc.STAGE_LABELS[c.stage]),
                 c.region.name if c.region else "", c.owner.name, c.credit_limit, c.callback_interval_days,
                 c.last_contact_at, c.tax_id, str(svc.LEAD_SOURCE_LABELS.get(c.lead_source, "")), c.notes)
                for c in db.session.scalars(stmt)]
        headers = ["客户名称", "类型", "阶段", "区域", "负责人", "信用额度", "回访周期（天）", "最近联系", "税号", "信息来源",
                   "备注"]
        return send_workbook(workbook("客户档案", headers, rows), "customers.xlsx")
    owners = svc.assignable_owners(current_user) if current_user.role != "rep" else []
    return render("customers/index.html", "list", page=paginate(stmt), q=q, args=args, regions=_regions(),
                  owners=owners, kinds=svc.KIND_LABELS, stages=svc.STAGE_LABELS,
                  can_create=current_user.role in svc.EDITORS, can_import=current_user.role in svc.IMPORTERS)


def _choices(form: CustomerForm) -> None:
    form.region.choices = [SelectChoice(0, "—")] + [SelectChoice(r.id, r.name) for r in _regions()]
    form.owner.choices = [SelectChoice(0, "—")] + pinyin_choices(svc.assignable_owners(current_user))


def _values(form: CustomerForm) -> dict:
    return {"name": form.name.data, "kind": form.kind.data, "stage": form.stage.data,
            "region_id": form.region.data or None, "tax_id": (form.tax_id.data or "").strip(),
            "bank": (form.bank.data or "").strip(), "account": (form.account.data or "").strip(),
            "invoice_address": (form.invoice_address.data or "").strip(), "notes": form.notes.data or "",
            "credit_limit": form.credit_limit.amount if form.credit_limit.amount is not None else 0,
            "callback_interval_days": form.callback_interval_days.data, "lead_source": form.lead_source.data or ""}


def _duplicate_blocks(form: CustomerForm, exclude_id=None) -> bool:
    found = svc.duplicates(form.name.data, exclude_id)
    if found and not form.confirm_duplicate.data:
        names = "、".join(f"{c.name}（{c.owner.name}）" for c in found if svc.can_see_rep(current_user, c.owner_id))
        if names:
            message = _l("已存在同名客户：%(names)s。确认不是重复客户请勾选下方确认框。", names=names)
        else:
            # Another team's customer: that it exists, and whom to ask — not whose it is.
            message = _l("已存在同名客户（不在您的客户范围内），请先向销售内勤或销售经理核实；确认不是重复客户请勾选下方确认框。")
        form.name.errors = [*form.name.errors, message]
        return True
    return False


@bp.route("/new", methods=["GET", "POST"])
@role_required(*svc.EDITORS)
def new():
    form = CustomerForm()
    _choices(form)
    if form.validate_on_submit() and not _duplicate_blocks(form):
        owner = db.session.get(User, form.owner.data) if form.owner.data else None
        try:
            customer = svc.create(current_user, owner=owner, **_values(form))
        except DomainError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            commit()
            flash(_l("已添加客户"), "success")
            return redirect(url_for("customers.detail", customer_id=customer.id), 303)
    return render("customers/form.html", "form", form=form, customer=None)


@bp.route("/<int:customer_id>/edit", methods=["GET", "POST"])
@role_required(*svc.EDITORS)
def edit(customer_id):
    customer = svc.get_visible_or_404(current_user, customer_id)
    form = CustomerForm(obj=customer)
    _choices(form)
    if request.method == "GET":
        form.region.data = customer.region_id or 0
    form.owner.data = customer.owner_id
    if form.validate_on_submit() and not _duplicate_blocks(form, customer.id):
        try:
            svc.update(current_user, customer, **_values(form))
        except DomainError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            commit()
            flash(_l("已保存"), "success")
            return redirect(url_for("customers.detail", customer_id=customer.id), 303)
    return render("customers/form.html", "form", form=form, customer=customer)


def _interaction_form() -> InteractionForm:
    form = InteractionForm()
    staff = db.session.scalars(select(User).where(User.active, User.role.in_(svc.EDITORS)).order_by(User.id))
    form.assignee.choices = [SelectChoice(0, "—")] + pinyin_choices(staff)
    return form


def _detail(customer, **extra):
    owner_form = None
    if current_user.role in svc.OWNER_CHANGERS:
        owner_form = OwnerForm(owner=customer.owner_id)
        owner_form.owner.choices = pinyin_choices(svc.assignable_owners(current_user))
    ctx = {"customer": customer, "interactions": svc.interactions(customer), "form": _interaction_form(),
           "contact_form": ContactForm(), "cert_form": CertificateForm(), "owner_form": owner_form,
           "resolve_form": ResolveForm(), "can_edit": current_user.role in svc.EDITORS,
           "kinds": svc.KIND_LABELS, "stages": svc.STAGE_LABELS, "labels": svc.INTERACTION_LABELS,
           "lead_sources": svc.LEAD_SOURCE_LABELS, "next_callback": svc.next_callback(customer)}
    return ctx | extra


@bp.get("/<int:customer_id>")
@role_required(*VIEWERS)
def detail(customer_id):
    customer = svc.get_visible_or_404(current_user, customer_id)
    return render("customers/detail.html", **_detail(customer))


@bp.get("/<int:customer_id>/interactions")
@role_required(*VIEWERS)
def interactions(customer_id):
    """The interaction log alone (HTMX refresh)."""
    customer = svc.get_visible_or_404(current_user, customer_id)
    return render("customers/detail.html", "interactions", **_detail(customer))


@bp.post("/<int:customer_id>/interactions")
@role_required(*svc.EDITORS)
def add_interaction(customer_id):
    customer = svc.get_visible_or_404(current_user, customer_id)
    form = _interaction_form()
    item = None
    if form.validate_on_submit():
        assignee = db.session.get(User, form.assignee.data) if form.assignee.data else None
        try:
            item = svc.log_interaction(current_user, customer, form.kind.data, form.text.data, assignee=assignee,
                                       deadline=form.deadline.data)
        except DomainError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            commit()
            if not htmx:
                flash(_l("已记录"), "success")
                return redirect(url_for("customers.detail", customer_id=customer.id), 303)
            form = _interaction_form()
            form.text.data = ""
    ctx = _detail(customer, form=form, new_item=item)
    return render("customers/detail.html", "interaction_form", oob=("interaction_new",) if item else (), **ctx)


@bp.post("/<int:customer_id>/interactions/<int:interaction_id>/resolve")
@role_required(*svc.EDITORS)
def resolve(customer_id, interaction_id):
    customer = svc.get_visible_or_404(current_user, customer_id)
    item = db.session.get(Interaction, interaction_id)
    if item is None or item.customer_id != customer.id:
        abort(404)
    form = ResolveForm()
    error = None
    if form.validate_on_submit():
        try:
            svc.resolve_complaint(current_user, item, form.resolution.data)
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
        else:
            commit()
    else:
        error = _l("请填写处理结果")
    if not htmx:
        if error:
            flash(error, "error")
        return redirect(url_for("customers.detail", customer_id=customer.id), 303)
    return render("customers/detail.html", "interaction_item", **_detail(customer, i=item, resolve_error=error))


@bp.post("/<int:customer_id>/owner")
@role_required(*svc.OWNER_CHANGERS)
def change_owner(customer_id):
    customer = svc.get_visible_or_404(current_user, customer_id)
    form = OwnerForm()
    form.owner.choices = pinyin_choices(svc.assignable_owners(current_user))
    if form.validate_on_submit():
        try:
            svc.change_owner(current_user, customer, db.session.get(User, form.owner.data))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            commit()
            flash(_l("已变更负责人"), "success")
    else:
        flash(_l("请选择负责的销售代表"), "error")
    if not svc.can_see_rep(current_user, customer.owner_id):
        return redirect(url_for("customers.index"), 303)
    return redirect(url_for("customers.detail", customer_id=customer.id), 303)


@bp.post("/<int:customer_id>/contacts")
@role_required(*svc.EDITORS)
def add_contact(customer_id):
    customer = svc.get_visible_or_404(current_user, customer_id)
    form = ContactForm()
    if form.validate_on_submit():
        svc.add_contact(current_user, customer, name=form.name.data.strip(), title=form.title.data or "",
                        phone=form.phone.data or "", email=form.email.data or "", birthday=form.birthday.data)
        commit()
        flash(_l("已添加联系人"), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id), 303)
    return render("customers/detail.html", **_detail(customer, contact_form=form))


@bp.post("/<int:customer_id>/certificates")
@role_required(*svc.EDITORS)
def add_certificate(customer_id):
    customer = svc.get_visible_or_404(current_user, customer_id)
    form = CertificateForm()
    if form.validate_on_submit():
        svc.add_certificate(current_user, customer, name=form.name.data.strip(), number=form.number.data or "",
                            expires_on=form.expires_on.data)
        commit()
        flash(_l("已添加证照"), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id), 303)
    return render("customers/detail.html", **_detail(customer, cert_form=form))


def _child_or_404(model, child_id: int, customer):
    """A contact or certificate of this (already visible) customer, or 404."""
    child = db.session.get(model, child_id)
    if child is None or child.customer_id != customer.id:
        abort(404)
    return child


@bp.post("/<int:customer_id>/contacts/<int:contact_id>/delete")
@role_required(*svc.EDITORS)
def remove_contact(customer_id, contact_id):
    customer = svc.get_visible_or_404(current_user, customer_id)
    svc.remove_contact(current_user, _child_or_404(Contact, contact_id, customer))
    commit()
    flash(_l("已删除联系人"), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id), 303)


@bp.post("/<int:customer_id>/certificates/<int:certificate_id>/delete")
@role_required(*svc.EDITORS)
def remove_certificate(customer_id, certificate_id):
    customer = svc.get_visible_or_404(current_user, customer_id)
    svc.remove_certificate(current_user, _child_or_404(Certificate, certificate_id, customer))
    commit()
    flash(_l("已删除证照"), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id), 303)


@bp.route("/<int:customer_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@role_required(*svc.EDITORS)
def edit_contact(customer_id, contact_id):
    customer = svc.get_visible_or_404(current_user, customer_id)
    contact = _child_or_404(Contact, contact_id, customer)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        try:
            svc.update_contact(current_user, contact, name=form.name.data, title=form.title.data or "",
                               phone=form.phone.data or "", email=form.email.data or "", birthday=form.birthday.data)
        except DomainError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            commit()
            flash(_l("已保存联系人"), "success")
            return redirect(url_for("customers.detail", customer_id=customer.id), 303)
    return render("customers/child_form.html", "form", form=form, customer=customer, title=_l("编辑联系人"),
                  action=url_for("customers.edit_contact", customer_id=customer.id, contact_id=contact.id))


@bp.route("/<int:customer_id>/certificates/<int:certificate_id>/edit", methods=["GET", "POST"])
@role_required(*svc.EDITORS)
def edit_certificate(customer_id, certificate_id):
    customer = svc.get_visible_or_404(current_user, customer_id)
    cert = _child_or_404(Certificate, certificate_id, customer)
    form = CertificateForm(obj=cert)
    if form.validate_on_submit():
        try:
            svc.update_certificate(current_user, cert, name=form.name.data, number=form.number.data or "",
                                   expires_on=form.expires_on.data)
        except DomainError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            commit()
            flash(_l("已保存证照"), "success")
            return redirect(url_for("customers.detail", customer_id=customer.id), 303)
    return render("customers/child_form.html", "form", form=form, customer=customer, title=_l("编辑证照"),
                  action=url_for("customers.edit_certificate", customer_id=customer.id, certificate_id=cert.id))


# ---- import: upload → preview (nothing saved) → confirm (valid rows only) ------------------
# A large sheet goes to the worker (services/customer_imports.py); its page follows the progress.

@bp.route("/import", methods=["GET", "POST"])
@role_required(*svc.IMPORTERS)
def import_upload():
    form = ImportForm()
    if form.validate_on_submit() and form.file.data:
        try:
            data = form.file.data.read()
            total, rows = imports.open_sheet(data)
            if total > imports.INLINE_ROWS:
                batch = imports.start(current_user, data, total)
                return redirect(url_for("customers.import_status", token=batch.token), 303)
            result = svc.parse_rows(current_user, rows)
        except DomainError as exc:
            db.session.rollback()
            form.file.errors = [exc.message]
        else:
            imports.drop_stale_previews()
            token = imports.save_preview(current_user, result)
            return render("customers/import.html", "preview", form=form, token=token, result=result,
                          columns=svc.IMPORT_COLUMNS)
    elif request.method == "POST" and not form.file.errors:
        form.file.errors = [_l("请选择文件")]
    return render("customers/import.html", "preview", form=form, token=None, result=None, columns=svc.IMPORT_COLUMNS)


@bp.get("/import/batches/<token>")
@role_required(*svc.IMPORTERS)
def import_status(token):
    batch = imports.get_or_404(current_user, token)
    return render("customers/import.html", "preview", form=ImportForm(), token=token, batch=batch,
                  progress=imports.progress(batch), result=imports.preview_of(current_user, batch),
                  columns=svc.IMPORT_COLUMNS, status_labels=imports.STATUS_LABELS)


@bp.post("/import/batches/<token>")
@role_required(*svc.IMPORTERS)
def import_batch_confirm(token):
    batch = imports.get_or_404(current_user, token)
    try:
        imports.confirm(current_user, batch)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(url_for("customers.import_status", token=token), 303)


@bp.post("/import/<token>")
@role_required(*svc.IMPORTERS)
def import_confirm(token):
    created = imports.confirm_inline(current_user, token)
    commit()
    imports.discard_preview(token)
    flash(_l("已导入 %(n)d 个客户", n=created), "success")
    return redirect(url_for("customers.index"), 303)


@bp.get("/import/template")
@role_required(*svc.IMPORTERS)
def import_template():
    sample = [("上海示例贸易有限公司", "经销商", "意向", "华东区", "rep1", "王经理", "021-5555 0000",
               "91310000XXXXXXXX", "50000.00", 30, "")]
    return send_workbook(workbook("客户导入", list(svc.IMPORT_COLUMNS), sample), "customer-import-template.xlsx")
