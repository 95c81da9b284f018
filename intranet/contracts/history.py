"""Demo history: quotations and contracts in every state, so the contract pages show the product working —
rep1's quotation reviewed and turned into a sales contract, signed three weeks ago with its scan and the
original at finance, an order against it shipped, invoiced and partly paid, a follow-up note and the
handed-over certificate on its performance sheet; rep2's distribution agreement signed last week, its
signed copy still missing (the reminder's case); rep3's contract waiting for the manager's review;
rep4's quotation sent and rep2's draft. Before them, the payment-terms rules (付款条件规则) the sales
manager keeps — 款到发货 for everyone, 月结 for distributors, 定金 and the balance after acceptance for end
users, one rule stopped — and rep3's contract takes its payment terms from them. Made through the real
services and the approval engine; the to-dos and emails that sends are removed again. Idempotent (by any
quotation; the rules by any rule)."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from ..clock import today_local
from ..demo import demo_image, forget_notices, working_day_back
from ..extensions import db
from ..models import ApprovalRequest, Customer, PaymentTermRule, Product, Quotation
from ..services import (
    approvals,
    contract_performance,
    contracts,
    invoices,
    orders,
    payment_terms,
    payments,
    receivables,
    shipments,
    stock,
)
from ..services.errors import DomainError


def _product(code) -> Product:
    return db.session.scalar(select(Product).where(Product.code == code))


def _customer(rep, index=0) -> Customer | None:
    found = list(db.session.scalars(select(Customer).where(Customer.owner_id == rep.id).order_by(Customer.id).limit(3)))
    return found[min(index, len(found) - 1)] if found else None


def _lines(*items):
    return [contracts.LineInput(_product(code).id, qty, _product(code).list_price) for code, qty in items]


def _approve(doc_type, doc) -> None:
    req = approvals.request_for(doc_type, doc.id)
    while req.status == "pending":
        approvals.decide(approvals.step_deciders(req, req.step)[0], req.id, "approve", "同意")


def _signed(users, rep, quotation=None, customer=None, items=(), kind="sales", days_ago=20, **terms):
    if quotation is not None:
        contract = contracts.contract_from_quotation(rep, quotation, **terms)
    else:
        contract = contracts.create_contract(rep, customer, _lines(*items), kind=kind, **terms)
    contracts.submit_contract(rep, contract)
    _approve(contracts.CONTRACT_TYPE, contract)
    contracts.mark_signed(rep, contract, working_day_back(days_ago))
    return contract


def _performed(users, contract) -> None:
    """An order against the contract: paid, entered, shipped and checked, invoiced and checked, half paid."""
    assistant, finance, manager = users["assistant"], users["finance"], users["manager"]
    line = contract.lines[0]
    stock.receive(assistant, line.product, str(line.quantity), reference="RK-HT")
    order = orders.request(assistant, {"customer": contract.customer, "delivery_method": "logistics",
                                       "consignee": "设备部 王工", "phone": "021-6234 5678",
                                       "address": "上海市浦东新区张江路 88 号", "contract_id": contract.id},
                           [orders.LineInput(line.product_id, str(line.quantity), line.unit_price)]).order
    note = payments.register(assistant, {"customer": contract.customer, "pay_type": "transfer", "bank": "招商银行",
                                         "amount": order.total, "paid_on": today_local()})
    payments.decide(finance, note, True)
    orders.enter(assistant, order, note)
    ship = shipments.prepare(assistant, order, {ln.id: str(ln.quantity) for ln in order.lines}, {
        "carrier": "德邦物流", "method": "logistics", "waybill": "DPK-HT-0001", "pieces": "1"})
    shipments.check(manager, ship)
    inv = invoices.prepare(assistant, order, {ln.id: (str(ln.quantity), ln.unit_price) for ln in order.lines},
                           {"invoice_no": "04470001", "content": line.product.name, "recipient": "财务部",
                            "mail_method": "courier"})
    invoices.check(manager, inv)
    incoming = receivables.register(finance, {"customer": contract.customer, "payer": contract.customer.name,
                                              "pay_type": "transfer", "bank": "招商银行上海分行",
                                              "amount": (inv.amount / 2).quantize(Decimal("0.01")),
                                              "received_on": today_local()}, ("回单.png", demo_image("receipt-print")))
    receivables.confirm(finance, receivables.allocate(assistant, incoming, inv, incoming.amount, "合同首付款"))
    contract_performance.add_event(assistant, contract, "follow_up", working_day_back(12),
                                   "工厂确认排产，预计两周内发货。")
    contract_performance.add_event(assistant, contract, "document", today_local(), "随货交付产品合格证。",
                                   document_type="certificate")


# (customer class or "" for every class, from amount, deposit %, balance rule, days, note, active) in the
# seeds' words: 款到发货 (seed 004), 定金 at signing, the balance once the customer has accepted (验收无异议后
# 收取尾款), monthly statements for the distributors.
PAYMENT_RULES = (
    ("", "0", "0", "before_shipment", "0", "", True),
    ("distributor", "0", "0", "monthly", "30", "", True),
    ("distributor", "200000", "20", "monthly", "30", "次月 5 日前对账", True),
    ("end_user", "0", "30", "after_acceptance", "30", "", True),
    ("end_user", "100000", "50", "after_acceptance", "15", "", True),
    ("commercial", "50000", "30", "after_delivery", "30", "", True),
    ("agent", "0", "20", "after_delivery", "15", "", False),
)


def seed_payment_rules(users) -> int:
    if db.session.scalar(select(PaymentTermRule.id).limit(1)) is not None:
        return 0
    manager = users["manager"]
    for kind, amount, deposit, balance, days, note, active in PAYMENT_RULES:
        rule = payment_terms.create(manager, {"customer_kind": kind, "min_amount": amount, "deposit_percent": deposit,
                                              "balance_rule": balance, "balance_days": days, "note": note})
        if not active:
            payment_terms.deactivate(manager, rule)
    return len(PAYMENT_RULES)


def seed_history_contracts(users) -> int:
    created = seed_payment_rules(users)
    if db.session.scalar(select(Quotation.id).limit(1)) is not None:
        return created
    rep1, rep2, rep3, rep4 = (users[f"rep{i}"] for i in range(1, 5))
    c1, c2, c3, c4 = _customer(rep1), _customer(rep2), _customer(rep3), _customer(rep4)
    if None in (c1, c2, c3, c4):
        return 0
    valid = today_local() + timedelta(days=30)
    with db.session.begin_nested() as step:
        try:
            _seed(users, [rep1, rep2, rep3, rep4], [c1, c2, c3, c4], valid)
        except DomainError:  # a customer the rules refuse (an expired licence): the demo goes on without them
            step.rollback()
            return 0
    db.session.flush()
    approval_ids = db.session.scalars(select(ApprovalRequest.id).where(
        ApprovalRequest.doc_type.in_((contracts.QUOTATION_TYPE, contracts.CONTRACT_TYPE))))
    forget_notices([*(f"approval:{i}:" for i in approval_ids), "order", "payment:", "shipment-", "invoice-",
                    "incoming:", "allocation:", "contract"])
    return created + 7


def _seed(users, reps: list, customers: list, valid) -> None:
    rep1, rep2, rep3, rep4 = reps
    c1, c2, c3, c4 = customers
    q1 = contracts.create_quotation(rep1, c1, _lines(("RO-1000", 1), ("MEM-4040", 8)), valid,
                                    "报价含运费及安装调试；有效期 30 天。")
    contracts.submit_quotation(rep1, q1)
    _approve(contracts.QUOTATION_TYPE, q1)
    contracts.mark_sent(rep1, q1)
    first = _signed(users, rep1, quotation=q1, days_ago=21, delivery_terms="合同签订后 15 个工作日内交货",
                    payment_terms="签订后付 30% 预付款，验收合格后付清余款")
    contracts.upload_scan(rep1, first, "合同扫描件.png", demo_image("receipt-print"))
    contracts.confirm_original(users["finance"], first)
    _performed(users, first)
    _signed(users, rep2, customer=c2, items=(("PP-20", 400), ("AC-10", 2)), kind="distribution", days_ago=6,
            payment_terms="月结 30 天", delivery_terms="按月订货，次月 5 日前对账")
    pending = contracts.create_contract(rep3, c3, _lines(("UF-200", 2)), payment_terms="",  # from the rules
                                        delivery_terms="到货后 7 日内验收")
    contracts.submit_contract(rep3, pending)
    q4 = contracts.create_quotation(rep4, c4, _lines(("SOFT-2", 2), ("UV-30", 2)), valid, "含税价，不含安装。")
    contracts.submit_quotation(rep4, q4)
    _approve(contracts.QUOTATION_TYPE, q4)
    contracts.mark_sent(rep4, q4)
    contracts.create_quotation(rep2, c2, _lines(("SF-10", 1)), valid, "")
