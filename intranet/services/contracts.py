"""Quotations and contracts (SPEC 2.10, the contract half of issue 19).

- A quotation is reviewed by the sales manager (approval engine) before it is sent; an approved quotation
  can become a contract (its lines copied).
- Contract review (合同评审): the sales manager; special clauses or an amount above the setting
  `contract_director_threshold` also the director. The engine never lets the author decide.
- Payment terms left blank are written from the payment-terms rules (services/payment_terms.py: by the
  customer's class and the contract amount) and the contract names the rule; typed terms stay as typed.
- A contract is marked signed only after its review is approved; then the signed scan is uploaded (the
  receipts' checked upload), finance confirms the original, and change papers are kept with it.
- A rep sees their own customers' records, a supervisor the team's, leaders/assistant/finance all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ..clock import now_utc, today_local
from ..extensions import db
from ..models import User
from ..models.catalog import Product
from ..models.contracts import (
    APPROVED,
    CONVERTED,
    DRAFT,
    EDITABLE,
    KINDS,
    PENDING,
    SENT,
    SIGNED,
    Contract,
    ContractChange,
    ContractLine,
    Quotation,
    QuotationLine,
)
from ..models.customers import Customer
from . import approvals, audit, numbering, receipts, settings
from . import payment_terms as term_rules
from .errors import DomainError, Forbidden
from .samples import InputErrors, parse_quantity

ALL_SEEING = ("manager", "director", "gm", "assistant", "finance")
QUOTATION_TYPE, CONTRACT_TYPE = "quotation", "contract"
SCAN_TYPE, CHANGE_TYPE = "contract_scan", "contract_change"
CENT = Decimal("0.01")
STATUS_LABELS = {"draft": _l("草稿"), "pending": _l("评审中"), "approved": _l("评审通过"), "rejected": _l("已驳回"),
                 "returned": _l("退回修改"), "withdrawn": _l("已撤回"), "sent": _l("已发出"), "converted": _l("已转合同"),
                 "signed": _l("已签订"), "closed": _l("已关闭")}
KIND_LABELS = {"sales": _l("销售合同"), "distribution": _l("分销协议")}


@dataclass
class LineInput:
    product_id: int | None
    quantity: object  # an int, or the text typed in the form (checked here)
    unit_price: Decimal | None
    row: int = 0  # the form row, so that a message lands next to its field (lines-<row>-<field>)
    price_error: object = None  # what the money field said about the typed price


# ---- visibility -------------------------------------------------------------------------------

def scope(user: User, column):
    if user.role in ALL_SEEING:
        return column.is_not(None)
    if user.role == "supervisor":
        return or_(column == user.id, column.in_(select(User.id).where(User.reports_to_id == user.id)))
    if user.role == "rep":
        return column == user.id
    return column.is_(None)


def can_see(user: User, doc) -> bool:
    if user.role in ALL_SEEING or doc.rep_id == user.id:
        return True
    return user.role == "supervisor" and doc.rep.reports_to_id == user.id


def get_or_404(user: User, model, doc_id: int):
    doc = db.session.get(model, doc_id)
    if doc is None or not can_see(user, doc):
        abort(404)
    return doc


def visible_quotations(user: User):
    return select(Quotation).where(scope(user, Quotation.rep_id))


def visible_contracts(user: User):
    return select(Contract).where(scope(user, Contract.rep_id))


WRITERS = ("rep", "supervisor", "manager", "assistant")  # who may write a quotation or contract


def customers_for(actor: User) -> list[Customer]:
    """The customers the actor may quote or contract for (the picker's choices)."""
    stmt = select(Customer).order_by(Customer.name)
    if actor.role in ("rep", "supervisor"):
        stmt = stmt.where(scope(actor, Customer.owner_id))
    elif actor.role not in ("manager", "assistant"):
        return []
    return list(db.session.scalars(stmt))


def products() -> list[Product]:
    return list(db.session.scalars(select(Product).where(Product.active).order_by(Product.code)))


def reps_in_scope(user: User) -> list[User]:
    """The reps of the contracts the user sees (the register's filter), found by the database."""
    rep_ids = select(Contract.rep_id).where(scope(user, Contract.rep_id)).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(rep_ids)).order_by(User.name)))


def customer_contracts(user: User, customer_id: int) -> list[Contract]:
    return list(db.session.scalars(visible_contracts(user).where(Contract.customer_id == customer_id)
                                   .order_by(Contract.id.desc()).limit(50)))


def may_edit(user: User, doc) -> bool:
    return doc.status in EDITABLE and can_see(user, doc) and _may_act_for(user, doc.customer)


def _check_editable(actor: User, doc) -> None:
    if not can_see(actor, doc) or not _may_act_for(actor, doc.customer):
        raise Forbidden(_l("无权修改该单据"))
    if doc.status not in EDITABLE:
        raise DomainError(_l("已提交评审的单据不能修改，请先撤回或等待退回"))


def _may_act_for(actor: User, customer: Customer) -> bool:
    if actor.role in ("rep", "supervisor"):
        return customer.owner_id == actor.id or (
            actor.role == "supervisor" and customer.owner.reports_to_id == actor.id)
    return actor.role in ("manager", "assistant")


# ---- lines ------------------------------------------------------------------------------------

def _blank(line: LineInput) -> bool:
    return not line.product_id and not str(line.quantity or "").strip() and line.unit_price is None


def _line_errors(line: LineInput) -> dict:
    key = f"lines-{line.row}-"
    product = db.session.get(Product, line.product_id) if line.product_id else None
    if product is None:
        return {key + "product_id": _l("请选择产品目录中的产品")}
    try:
        parse_quantity(line.quantity)
    except DomainError as exc:
        return {key + "quantity": exc.message}
    if line.price_error is not None or line.unit_price is None:
        return {key + "unit_price": line.price_error or _l("请填写单价")}
    if line.unit_price < 0:
        return {key + "unit_price": _l("单价不能为负数")}
    return {}


def _lines(lines: list[LineInput], model) -> tuple[list, Decimal]:
    """The document's lines (amounts rounded per line) and their total; the blank form rows skipped,
    every wrong row reported next to its own field at once."""
    lines = [ln for ln in lines if not _blank(ln)]
    if not lines:
        raise DomainError(_l("请至少填写一行产品"), field="lines")
    errors = {}
    for line in lines:
        errors.update(_line_errors(line))
    if errors:
        raise InputErrors(errors)
    rows, total = [], Decimal("0.00")
    for line in lines:
        quantity = parse_quantity(line.quantity)
        price = Decimal(line.unit_price).quantize(CENT, ROUND_HALF_UP)
        amount = (price * quantity).quantize(CENT, ROUND_HALF_UP)
        rows.append(model(product_id=line.product_id, quantity=quantity, unit_price=price, amount=amount))
        total += amount
    return rows, total


def _number(prefix: str, model) -> str:
    return numbering.monthly(prefix, model)


# ---- quotations -------------------------------------------------------------------------------

def create_quotation(actor: User, customer: Customer, lines: list[LineInput], valid_until: date,
                     terms: str = "") -> Quotation:
    if customer is None or not _may_act_for(actor, customer):
        raise DomainError(_l("请选择自己负责的客户"), field="customer_id")
    if valid_until < today_local():
        raise DomainError(_l("报价有效期不能早于今天"), field="valid_until")
    rows, total = _lines(lines, QuotationLine)
    quotation = Quotation(number=_number("BJ", Quotation), customer=customer, rep_id=customer.owner_id,
                          valid_until=valid_until, terms=(terms or "").strip(), total_amount=total, lines=rows)
    quotation.rep = customer.owner
    db.session.add(quotation)
    db.session.flush()
    audit.record(actor, "quotation.create", quotation, after={"number": quotation.number, "total": str(total)})
    return quotation


def update_quotation(actor: User, quotation: Quotation, customer: Customer, lines: list[LineInput],
                     valid_until: date, terms: str = "") -> Quotation:
    """A draft, returned or withdrawn quotation written again (its lines replaced)."""
    _check_editable(actor, quotation)
    if customer is None or not _may_act_for(actor, customer):
        raise DomainError(_l("请选择自己负责的客户"), field="customer_id")
    if valid_until < today_local():
        raise DomainError(_l("报价有效期不能早于今天"), field="valid_until")
    rows, total = _lines(lines, QuotationLine)
    before = {"total": str(quotation.total_amount), "customer": quotation.customer_id}
    quotation.customer, quotation.rep = customer, customer.owner
    quotation.valid_until, quotation.terms, quotation.total_amount = valid_until, (terms or "").strip(), total
    quotation.lines = rows
    db.session.flush()
    audit.record(actor, "quotation.update", quotation, before=before,
                 after={"total": str(total), "customer": customer.id})
    return quotation


def submit_quotation(actor: User, quotation: Quotation):
    return approvals.submit(actor, QUOTATION_TYPE, quotation)


def mark_sent(actor: User, quotation: Quotation) -> None:
    if quotation.status != APPROVED:
        raise DomainError(_l("报价单经销售经理审核通过后才能发出"))
    quotation.status = SENT
    audit.record(actor, "quotation.sent", quotation, before={"status": APPROVED}, after={"status": SENT})


# ---- contracts --------------------------------------------------------------------------------

def create_contract(actor: User, customer: Customer, lines: list[LineInput], *, kind: str = "sales",
                    payment_terms: str = "", delivery_terms: str = "", special_clauses: str = "",
                    quotation: Quotation | None = None) -> Contract:
    if customer is None or not _may_act_for(actor, customer):
        raise DomainError(_l("请选择自己负责的客户"), field="customer_id")
    if kind not in KINDS:
        raise DomainError(_l("请选择合同类型"), field="kind")
    rows, total = _lines(lines, ContractLine)
    terms, rule = term_rules.terms_for(customer, total, payment_terms)
    contract = Contract(number=_number("HT", Contract), kind=kind, customer=customer, rep_id=customer.owner_id,
                        total_amount=total, payment_terms=terms, payment_rule=rule,
                        delivery_terms=(delivery_terms or "").strip(),
                        special_clauses=(special_clauses or "").strip(), lines=rows,
                        quotation_id=quotation.id if quotation else None)
    contract.rep = customer.owner
    db.session.add(contract)
    db.session.flush()
    audit.record(actor, "contract.create", contract, after={"number": contract.number, "total": str(total),
                                                            "payment_rule": rule.id if rule else None})
    return contract


def proposed_payment_terms(customer: Customer | None, lines: list[LineInput]) -> str:
    """The payment terms a blank field would get for these lines (the form's hint); "" while the lines
    cannot be priced yet or no rule fits."""
    try:
        _rows, total = _lines(lines, ContractLine)
    except DomainError:
        return ""
    return term_rules.proposed_text(customer, total)


def update_contract(actor: User, contract: Contract, customer: Customer, lines: list[LineInput], *,
                    kind: str = "sales", payment_terms: str = "", delivery_terms: str = "",
                    special_clauses: str = "") -> Contract:
    """A draft, returned or withdrawn contract written again (its lines replaced)."""
    _check_editable(actor, contract)
    if customer is None or not _may_act_for(actor, customer):
        raise DomainError(_l("请选择自己负责的客户"), field="customer_id")
    if kind not in KINDS:
        raise DomainError(_l("请选择合同类型"), field="kind")
    rows, total = _lines(lines, ContractLine)
    before = {"total": str(contract.total_amount), "customer": contract.customer_id}
    contract.customer, contract.rep, contract.kind, contract.total_amount = customer, customer.owner, kind, total
    contract.payment_terms, contract.payment_rule = term_rules.terms_for(
        customer, total, payment_terms, previous=(contract.payment_terms, contract.payment_rule_id))
    contract.delivery_terms = (delivery_terms or "").strip()
    contract.special_clauses = (special_clauses or "").strip()
    contract.lines = rows
    db.session.flush()
    audit.record(actor, "contract.update", contract, before=before, after={"total": str(total), "customer": customer.id})
    return contract


def contract_from_quotation(actor: User, quotation: Quotation, **terms) -> Contract:
    if quotation.status not in (APPROVED, SENT):
        raise DomainError(_l("只有审核通过的报价单才能转为合同"))
    lines = [LineInput(ln.product_id, ln.quantity, ln.unit_price) for ln in quotation.lines]
    terms.setdefault("payment_terms", quotation.terms)
    contract = create_contract(actor, quotation.customer, lines, quotation=quotation, **terms)
    quotation.status = CONVERTED
    audit.record(actor, "quotation.converted", quotation, after={"contract": contract.number})
    return contract


def needs_director(contract: Contract) -> bool:
    return bool(contract.special_clauses.strip()) or contract.total_amount > settings.get(
        "contract_director_threshold")


def submit_contract(actor: User, contract: Contract):
    return approvals.submit(actor, CONTRACT_TYPE, contract)


def mark_signed(actor: User, contract: Contract, signed_on: date | None) -> None:
    if contract.status != APPROVED:
        raise DomainError(_l("合同评审通过后才能登记签订"))
    if signed_on is None:
        raise DomainError(_l("请填写签订日期"), field="signed_on")
    if signed_on > today_local():
        raise DomainError(_l("签订日期不能晚于今天"), field="signed_on")
    contract.status, contract.signed_on = SIGNED, signed_on
    audit.record(actor, "contract.signed", contract, before={"status": APPROVED},
                 after={"status": SIGNED, "signed_on": signed_on.isoformat()})


def _check_signed(actor: User, contract: Contract) -> None:
    if not can_see(actor, contract):
        raise DomainError(_l("无权操作该合同"))
    if contract.status != SIGNED:
        raise DomainError(_l("合同签订后才能上传"))


def upload_scan(actor: User, contract: Contract, filename: str, data: bytes):
    _check_signed(actor, contract)
    receipt = receipts.attach(actor, SCAN_TYPE, contract.id, filename, data, field="scan")
    contract.scan_file_id = receipt.id
    audit.record(actor, "contract.scan", contract, after={"file": receipt.filename})
    return receipt


def confirm_original(actor: User, contract: Contract) -> None:
    if actor.role != "finance":
        raise DomainError(_l("只有财务可以确认收到合同原件"))
    if contract.status != SIGNED:
        raise DomainError(_l("合同签订后才能确认原件"))
    if contract.original_received:
        raise DomainError(_l("合同原件已确认收到"))
    contract.original_received, contract.original_received_by_id = True, actor.id
    contract.original_received_at = now_utc()
    audit.record(actor, "contract.original", contract, after={"original_received": True})


def add_change(actor: User, contract: Contract, filename: str, data: bytes, note: str = "") -> ContractChange:
    _check_signed(actor, contract)
    receipt = receipts.attach(actor, CHANGE_TYPE, contract.id, filename, data, field="change")
    change = ContractChange(contract_id=contract.id, file_id=receipt.id, note=(note or "").strip()[:200],
                            by_id=actor.id)
    db.session.add(change)
    db.session.flush()
    audit.record(actor, "contract.change", contract, after={"file": receipt.filename})
    return change


def missing_scans(user: User) -> int:
    """Signed contracts the user can see whose signed copy is not uploaded yet."""
    return db.session.scalar(select(func.count()).select_from(Contract).where(
        Contract.status == SIGNED, Contract.scan_file_id.is_(None), scope(user, Contract.rep_id)))


@receipts.visibility(SCAN_TYPE)
def _scan_visible(user, doc_id):
    contract = db.session.get(Contract, doc_id)
    return contract is not None and can_see(user, contract)


receipts.visibility(CHANGE_TYPE)(_scan_visible)


# ---- approval engine --------------------------------------------------------------------------

class ContractAdapter(approvals.ModelAdapter):
    def adjust_steps(self, steps, doc):
        steps = [approvals.step_dict(_l("销售经理合同评审"), "role", "manager")]
        if needs_director(doc):
            steps.append(approvals.step_dict(_l("销售总监合同评审"), "role", "director"))
        return steps


def _title(doc) -> str:
    return f"{doc.number} · {doc.customer.name}"


def _summary(doc):
    return [(_l("客户"), doc.customer.name), (_l("金额"), f"{doc.total_amount:,.2f}")]


REVIEW_STATUSES = {"submitted": PENDING, "approved": APPROVED, "rejected": "rejected", "returned": "returned",
                   "withdrawn": "withdrawn"}
approvals.register(approvals.ModelAdapter(
    QUOTATION_TYPE, _l("报价单"), [approvals.step_dict(_l("销售经理审核报价"), "role", "manager")],
    model=Quotation, owner_attr="rep", amount_attr="total_amount", title_of=_title, summary_of=_summary,
    endpoint="contracts.quotation", id_arg="quotation_id",
    statuses=REVIEW_STATUSES, stamps={"approved": "approved_at"}))
approvals.register(ContractAdapter(
    CONTRACT_TYPE, _l("合同评审"), [approvals.step_dict(_l("销售经理合同评审"), "role", "manager")],
    model=Contract, owner_attr="rep", amount_attr="total_amount", title_of=_title, summary_of=_summary,
    endpoint="contracts.detail", id_arg="contract_id",
    statuses=REVIEW_STATUSES, stamps={"approved": "approved_at"}))

__all__ = ["DRAFT", "EDITABLE", "LineInput"]
