"""Contract pages (合同) at /contracts/: the register (合同台账), the new/edit form, the detail page with the
review history, signing, the signed scan, the original confirmed by finance and the change papers.
Thin views: the record in the user's scope (404), the role (403), one service call, commit once."""

from datetime import date

from flask import abort, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..clock import today_local
from ..extensions import db
from ..models import Receipt, User
from ..models.contracts import CONTRACT_STATUSES, Contract
from ..models.customers import Customer
from ..services import approvals, receipts
from ..services import contracts as svc
from ..services import payment_terms as term_rules
from ..services.errors import DomainError
from ..web.actions import act, done, failed
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.pickers import pinyin_choices
from ..web.rendering import render
from ..web.transaction import commit
from ..web.uploads import upload
from . import CONTRACT_ROLES, bp, lines
from .files import send
from .forms import ButtonForm, ChangeForm, ContractForm, ScanForm, SignForm

TERMS = ("kind", "payment_terms", "delivery_terms", "special_clauses")


@bp.context_processor
def _labels():
    return {"svc": svc, "rules_svc": term_rules}


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


# ---- the register (合同台账) -------------------------------------------------------------------

def _filtered():
    args = request.args
    stmt = (svc.visible_contracts(current_user).join(Contract.customer)
            .options(selectinload(Contract.customer), selectinload(Contract.rep)))
    if customer := args.get("customer", "").strip()[:60]:
        stmt = stmt.where(or_(Customer.name.contains(customer, autoescape=True),
                              Contract.number.contains(customer, autoescape=True)))
    if (rep_id := args.get("rep", type=int)) is not None:
        stmt = stmt.where(Contract.rep_id == rep_id)
    if (status := args.get("status", "")) in CONTRACT_STATUSES:
        stmt = stmt.where(Contract.status == status)
    if start := _day("from"):
        stmt = stmt.where(Contract.signed_on >= start)
    if end := _day("to"):
        stmt = stmt.where(Contract.signed_on <= end)
    return stmt.order_by(Contract.created_at.desc(), Contract.id.desc())  # newest written first


@bp.get("/")
@role_required(*CONTRACT_ROLES)
def register():
    stmt = _filtered()
    if request.args.get("format") == "xlsx":
        return _workbook(stmt)
    reps = svc.reps_in_scope(current_user) if current_user.role != "rep" else []
    return render("contracts/register.html", "list", page=paginate(stmt), missing=svc.missing_scans(current_user),
                  statuses=CONTRACT_STATUSES, labels=svc.STATUS_LABELS, kind_labels=svc.KIND_LABELS, reps=reps)


def _workbook(stmt):
    rows = [(c.number, str(svc.KIND_LABELS[c.kind]), c.customer.name, c.rep.name, c.total_amount,
             c.signed_on, str(svc.STATUS_LABELS[c.status]), "是" if c.scan_file_id else "否",
             "是" if c.original_received else "否") for c in db.session.scalars(stmt.limit(50000))]
    wb = workbook("合同台账", ["合同编号", "类型", "客户", "业务员", "金额", "签订日期", "状态", "扫描件", "原件已交财务"], rows)
    return send_workbook(wb, "合同台账.xlsx")


# ---- new / edit ---------------------------------------------------------------------------------

def _form_page(form, contract, typed):
    customer = db.session.get(Customer, form.customer_id.data) if form.customer_id.data else None
    return render("contracts/contract_form.html", "form", form=form, contract=contract, lines=lines.padded(typed),
                  line_errors=getattr(form, "line_errors", {}), products=svc.products(),
                  proposed_terms=svc.proposed_payment_terms(customer, typed))


def _choices(form) -> ContractForm:
    form.customer_id.choices = [("", "—")] + pinyin_choices(svc.customers_for(current_user))
    return form


def _terms(form) -> dict:
    return {name: form[name].data for name in TERMS}


@bp.route("/new", methods=["GET", "POST"])
@role_required(*svc.WRITERS)
def new():
    form = _choices(ContractForm())
    if request.method == "GET":
        form.customer_id.data = request.args.get("customer", type=int)
    if form.validate_on_submit():
        contract = lines.save(form, lambda customer, typed: svc.create_contract(current_user, customer, typed,
                                                                           **_terms(form)))
        if contract is not None:
            commit()
            return done(url_for("contracts.detail", contract_id=contract.id),
                        _l("合同 %(number)s 已保存，请提交合同评审", number=contract.number))
    return _form_page(form, None, lines.from_form() if request.method == "POST" else [])


@bp.route("/<int:contract_id>/edit", methods=["GET", "POST"])
@role_required(*svc.WRITERS)
def edit(contract_id):
    contract = svc.get_or_404(current_user, Contract, contract_id)
    url = url_for("contracts.detail", contract_id=contract.id)
    if not svc.may_edit(current_user, contract):
        return done(url, _l("该合同当前不能修改"), "error")
    form = _choices(ContractForm(obj=contract))
    if form.validate_on_submit():
        saved = lines.save(form, lambda customer, typed: svc.update_contract(current_user, contract, customer, typed,
                                                                        **_terms(form)))
        if saved is not None:
            commit()
            return done(url, _l("合同已修改"))
    typed = lines.from_form() if request.method == "POST" else lines.from_document(contract)
    return _form_page(form, contract, typed)


# ---- detail and its actions ---------------------------------------------------------------------

def _page(contract, sign_form=None, scan_form=None, change_form=None):
    if sign_form is None:
        sign_form = SignForm(signed_on=today_local())
    return render("contracts/contract.html", c=contract, req=approvals.request_for(svc.CONTRACT_TYPE, contract.id),
                  sign_form=sign_form, scan_form=scan_form or ScanForm(), change_form=change_form or ChangeForm(),
                  button_form=ButtonForm(), may_edit=svc.may_edit(current_user, contract),
                  scan=db.session.get(Receipt, contract.scan_file_id) if contract.scan_file_id else None,
                  change_files={r.id: r for r in receipts.for_doc(svc.CHANGE_TYPE, contract.id)},
                  people={u.id: u for u in db.session.scalars(
                      select(User).where(User.id.in_({ch.by_id for ch in contract.changes})))},
                  has_performance="contracts.performance" in current_app.view_functions)


@bp.get("/<int:contract_id>")
@role_required(*CONTRACT_ROLES)
def detail(contract_id):
    return _page(svc.get_or_404(current_user, Contract, contract_id))


@bp.post("/<int:contract_id>/submit")
@role_required(*svc.WRITERS)
def submit(contract_id):
    contract = svc.get_or_404(current_user, Contract, contract_id)
    return act(url_for("contracts.detail", contract_id=contract.id),
               lambda: svc.submit_contract(current_user, contract), _l("合同已提交评审"))


@bp.post("/<int:contract_id>/sign")
@role_required(*svc.WRITERS)
def sign(contract_id):
    contract = svc.get_or_404(current_user, Contract, contract_id)
    form = SignForm()
    if form.validate_on_submit():
        try:
            svc.mark_signed(current_user, contract, form.signed_on.data)
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("contracts.detail", contract_id=contract.id), _l("合同已登记签订，请上传签字盖章扫描件"))
    return _page(contract, sign_form=form)


@bp.post("/<int:contract_id>/scan")
@role_required(*svc.WRITERS)
def scan_upload(contract_id):
    contract = svc.get_or_404(current_user, Contract, contract_id)
    form = ScanForm()
    url = url_for("contracts.detail", contract_id=contract.id)
    return upload(form, lambda name, data: svc.upload_scan(current_user, contract, name, data), url,
                  _l("签字盖章扫描件已上传，原件请交财务"), field="scan") or _page(contract, scan_form=form)


@bp.post("/<int:contract_id>/original")
@role_required("finance")
def original(contract_id):
    contract = svc.get_or_404(current_user, Contract, contract_id)
    return act(url_for("contracts.detail", contract_id=contract.id),
               lambda: svc.confirm_original(current_user, contract), _l("已确认收到合同原件"))


@bp.post("/<int:contract_id>/changes")
@role_required(*svc.WRITERS)
def change_add(contract_id):
    contract = svc.get_or_404(current_user, Contract, contract_id)
    form = ChangeForm()
    url = url_for("contracts.detail", contract_id=contract.id)
    return upload(form, lambda name, data: svc.add_change(current_user, contract, name, data, form.note.data),
                  url, _l("合同变更文件已归入合同"), field="change") or _page(contract, change_form=form)


@bp.get("/<int:contract_id>/files/<int:contract_file_id>")
@role_required(*CONTRACT_ROLES)
def file(contract_id, contract_file_id):
    """The signed scan or a change paper, for whoever sees the contract (no shared cache keeps it)."""
    contract = svc.get_or_404(current_user, Contract, contract_id)
    stored = db.session.get(Receipt, contract_file_id)
    if stored is None or stored.doc_id != contract.id or stored.doc_type not in (svc.SCAN_TYPE, svc.CHANGE_TYPE):
        abort(404)
    return send(stored)
