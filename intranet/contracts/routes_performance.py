"""The performance sheet of a contract (《合同履行一览表》) at /contracts/<id>/performance: the page (printable),
its Excel, the print view, the entries that are not records elsewhere (follow-up, acceptance, handed-over
documents; append-only) and the email to the customer. Rules in services/contract_performance.py."""

from flask import abort, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..clock import today_local
from ..extensions import db
from ..models.contract_performance import DOCUMENT_TYPES, ContractEvent
from ..models.contracts import Contract
from ..services import contract_performance as svc
from ..services import contracts as contracts_svc
from ..services import orders as orders_svc
from ..services import outbox, receipts
from ..services.errors import DomainError
from ..web.actions import act, done, failed
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.rendering import render
from ..web.transaction import commit
from . import CONTRACT_ROLES, bp

RECORDERS = ("rep", "supervisor", "assistant", "manager")  # the service decides per contract


class EventForm(FlaskForm):
    kind = SelectField(_l("登记类型"), choices=[SelectChoice(k, svc.KIND_LABELS[k]) for k in svc.RECORDABLE],
                       validate_choice=False)
    happened_on = DateField(_l("日期"), validators=[Optional()])
    document_type = SelectField(_l("资料类型（随货资料）"), choices=[SelectChoice("", "—")] + [
        SelectChoice(k, svc.DOCUMENT_LABELS[k]) for k in DOCUMENT_TYPES], validate_choice=False)
    note = TextAreaField(_l("说明"))
    file = FileField(_l("扫描件（随货资料，可选）"))


class SendForm(FlaskForm):
    to_addr = StringField(_l("客户邮箱"))


def _contract(contract_id: int) -> Contract:
    return contracts_svc.get_or_404(current_user, Contract, contract_id)


def _page(contract: Contract, event_form=None, send_form=None, status=200):
    sheet = svc.performance_sheet(current_user, contract)
    if event_form is None:
        event_form = EventForm(formdata=None)
        event_form.happened_on.data = today_local()
    if send_form is None:
        send_form = SendForm(formdata=None)
        send_form.to_addr.data = svc.contact_email(contract)
    return render("contracts/performance.html", sheet=sheet, contract=contract, event_form=event_form,
                  send_form=send_form, may_record=svc.may_record(current_user, contract),
                  may_order=current_user.role in orders_svc.REQUESTERS and contract.status == "signed",
                  company=svc.company_name(), today=today_local(), labels=contracts_svc.STATUS_LABELS,
                  sent=svc.sent(contract) if svc.may_record(current_user, contract) else [],
                  email_labels=outbox.STATUS_LABELS,
                  status=status)


@bp.get("/<int:contract_id>/performance")
@role_required(*CONTRACT_ROLES)
def performance(contract_id):
    contract = _contract(contract_id)
    if request.args.get("format") == "xlsx":
        sheet = svc.performance_sheet(current_user, contract)
        wb = workbook("合同履行一览表", svc.HEADERS, svc.workbook_rows(sheet))
        return send_workbook(wb, f"合同履行一览表-{contract.number}.xlsx")
    return _page(contract)


@bp.get("/<int:contract_id>/performance/print")
@role_required(*CONTRACT_ROLES)
def performance_print(contract_id):
    contract = _contract(contract_id)
    return render("contracts/performance_print.html", sheet=svc.performance_sheet(current_user, contract),
                  company=svc.company_name(), today=today_local())


@bp.post("/<int:contract_id>/performance/events")
@role_required(*RECORDERS)
def performance_event(contract_id):
    contract = _contract(contract_id)
    form = EventForm()
    if form.validate_on_submit():
        storage = request.files.get("file")
        upload = (storage.filename, receipts.read_upload(storage, field="file")) \
            if storage is not None and storage.filename else None
        try:
            row = svc.add_event(current_user, contract, form.kind.data, form.happened_on.data, form.note.data or "",
                                form.document_type.data or "", upload)
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("contracts.performance", contract_id=contract.id) + "#sheet",
                        _l("已登记：%(kind)s", kind=svc.KIND_LABELS[row.kind]))
    return _page(contract, event_form=form)


@bp.post("/performance/events/<int:event_id>/cancel")
@role_required(*RECORDERS)
def performance_cancel(event_id):
    row = db.session.get(ContractEvent, event_id)
    if row is None:
        abort(404)
    contract = _contract(row.contract_id)
    return act(url_for("contracts.performance", contract_id=contract.id) + "#sheet",
               lambda: svc.cancel_event(current_user, row, request.form.get("reason", "")), _l("已登记撤销"))


@bp.post("/<int:contract_id>/performance/send")
@role_required(*RECORDERS)
def performance_send(contract_id):
    contract = _contract(contract_id)
    form = SendForm()
    if form.validate_on_submit():
        try:
            svc.send_to_customer(current_user, contract, form.to_addr.data)
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("contracts.performance", contract_id=contract.id),
                        _l("合同履行一览表已发送至 %(to)s", to=form.to_addr.data.strip()))
    return _page(contract, send_form=form)
