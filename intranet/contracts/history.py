"""Demo history: quotations and contracts in every state, so the contract pages show the product working.

The past quarter: about thirty quotations by the four reps for their own customers (most reviewed and sent,
some turned into contracts, a few returned for a price or payment term and sent again, one turned down,
the latest still waiting for the manager or in draft) and about twenty contracts (sales contracts and
distribution agreements, reviewed by the manager and, above the threshold, the director; signed, scanned
and the original at finance; one returned, one waiting to be signed). Each moved to the office hours of
the working days it happened and numbered in its own month, in date order (BJ-202609-0001).

On top, the showcase: rep1's quotation reviewed and turned into a sales contract, signed three weeks ago with its scan and the
original at finance, an order against it shipped, invoiced and partly paid, a follow-up note and the
handed-over certificate on its performance sheet; rep2's distribution agreement signed last week, its
signed copy still missing (the reminder's case); rep3's contract waiting for the manager's review;
rep4's quotation sent and rep2's draft. Made through the real services and the approval engine; the
to-dos and emails that sends are removed again. Before them, the payment-terms rules (付款条件规则) the sales
manager keeps — 款到发货 for everyone, 月结 for distributors, 定金 and the balance after acceptance for end
users, one rule stopped; rep3's pending contract takes its terms from them. Idempotent (by any quotation;
the rules by any rule)."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from ..clock import local_instant, month_of, today_local
from ..demo import (
    demo_image,
    forget_notices,
    next_working_day,
    restamp_approval,
    spread,
    working_day_back,
    working_days,
)
from ..extensions import db
from ..models import ApprovalRequest, Contract, Customer, PaymentTermRule, Product, Quotation, Receipt
from ..services import (
    approvals,
    contract_performance,
    contracts,
    invoices,
    numbering,
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


QUOTES = 28  # the quarter's quotations, besides the showcase
DIRECT = 14  # contracts written without a quotation (repeat customers, distribution agreements)
BASKETS = [(("RO-1000", 1), ("MEM-4040", 8)), (("UF-200", 2), ("PP-20", 60)), (("SF-10", 2), ("AC-10", 2)),
           (("UV-30", 3),), (("SOFT-2", 2), ("PP-20", 40)), (("RO-500", 1), ("MEM-4040", 4)), (("PP-20", 200),),
           (("DOS-1", 2), ("UV-30", 1)), (("MEM-4040", 16),), (("RO-500", 2), ("SOFT-2", 1))]
TERMS = ["报价含运费及安装调试；有效期 30 天。", "含 13% 增值税，不含安装。", "含税含运费，质保一年。",
         "批量采购价，款到发货。", "含税价，首批订货享受 5% 折扣。", "含税价，滤芯耗材另行报价。"]
PAYMENT = ["签订后付 30% 预付款，验收合格后付清余款", "款到发货", "月结 30 天", "货到验收合格后 15 日内付清",
           "预付 50%，发货前付清余款"]
DELIVERY = ["合同签订后 15 个工作日内交货", "款到后 7 个工作日内发货", "按月订货，次月 5 日前对账",
            "到货后 7 日内验收", "分两批交货，第一批于签订后 10 日内发出"]
RETURNS = ["单价低于最低限价，请核实后重新报价", "付款条件与客户信用额度不符，请修改为款到发货",
           "交货期过紧，请与生产确认后再报"]
# what happens to the n-th quotation of the quarter (the last few weeks' are still under way)
FATES = ["converted", "sent", "fixed", "sent", "converted", "sent", "rejected", "converted", "sent", "fixed"]


def _at(day, hour, minute=0):
    return local_instant(day, hour, minute)


def _owned(rep) -> list[Customer]:
    return list(db.session.scalars(select(Customer).where(Customer.owner_id == rep.id)
                                   .order_by(Customer.id).limit(10)))


def _review(doc_type, doc, comment="同意") -> None:
    req = approvals.request_for(doc_type, doc.id)
    while req.status == "pending":
        approvals.decide(approvals.step_deciders(req, req.step)[0], req.id, "approve", comment)


def _send_back(doc_type, doc, note) -> None:
    req = approvals.request_for(doc_type, doc.id)
    approvals.decide(approvals.step_deciders(req, req.step)[0], req.id, "return", note)


def _quotation(rep, customer, n, day, fate, made) -> Quotation:
    valid = today_local() + timedelta(days=30)
    basket = BASKETS[n % len(BASKETS)]
    q = contracts.create_quotation(rep, customer, _lines(*basket), valid, TERMS[n % len(TERMS)])
    made.append((contracts.QUOTATION_TYPE, q, day))
    if fate == "draft":
        return q
    contracts.submit_quotation(rep, q)
    if fate == "pending":
        return q
    if fate in ("fixed", "returned"):
        _send_back(contracts.QUOTATION_TYPE, q, RETURNS[n % len(RETURNS)])
        if fate == "returned":
            return q
        contracts.update_quotation(rep, q, customer, _lines(*basket[:1]), valid, "按最低限价调整后重新报价。")
        contracts.submit_quotation(rep, q)
    if fate == "rejected":
        req = approvals.request_for(contracts.QUOTATION_TYPE, q.id)
        approvals.decide(approvals.step_deciders(req, req.step)[0], req.id, "reject", "客户资信不足，暂不报价")
        return q
    _review(contracts.QUOTATION_TYPE, q)
    contracts.mark_sent(rep, q)
    return q


def _contract(users, rep, day, made, *, quotation=None, customer=None, n=0, fate="signed") -> Contract:
    terms = {"payment_terms": PAYMENT[n % len(PAYMENT)], "delivery_terms": DELIVERY[n % len(DELIVERY)]}
    if quotation is not None:
        contract = contracts.contract_from_quotation(rep, quotation, **terms)
    else:
        kind = "distribution" if n % 3 == 0 else "sales"
        if kind == "distribution":
            terms = {"payment_terms": "月结 30 天", "delivery_terms": "按月订货，次月 5 日前对账"}
        contract = contracts.create_contract(rep, customer, _lines(*BASKETS[(n + 3) % len(BASKETS)]), kind=kind,
                                             **terms)
    made.append((contracts.CONTRACT_TYPE, contract, day))
    if fate == "draft":
        return contract
    contracts.submit_contract(rep, contract)
    if fate == "pending":
        return contract
    if fate == "returned":
        _send_back(contracts.CONTRACT_TYPE, contract, "违约责任条款缺失，请补充后再提交评审")
        return contract
    _review(contracts.CONTRACT_TYPE, contract)
    if fate == "approved":
        return contract
    signed = next_working_day(day, 3)
    contracts.mark_signed(rep, contract, signed)
    if signed < today_local() - timedelta(days=10):  # the older ones are scanned and at finance
        contracts.upload_scan(rep, contract, "合同扫描件.png", demo_image("receipt-print"))
        contracts.confirm_original(users["finance"], contract)
    return contract


def _quarter(users, reps) -> list:
    today, made = today_local(), []
    days = working_days(today - timedelta(days=91), today - timedelta(days=1))
    owned = {rep.id: _owned(rep) for rep in reps}
    recent = today - timedelta(days=12)
    for n, day in enumerate(spread(days, QUOTES)):
        rep = reps[n % len(reps)]
        if not owned[rep.id]:
            continue
        customer = owned[rep.id][(n // len(reps)) % len(owned[rep.id])]
        fate = FATES[n % len(FATES)]
        if day >= recent:  # the last two weeks: still with the manager, sent back, or in draft
            fate = ("pending", "returned", "sent", "draft")[n % 4]
        mark = len(made)
        with db.session.begin_nested() as step:
            try:
                q = _quotation(rep, customer, n, day, fate, made)
                if fate == "converted":
                    _contract(users, rep, next_working_day(day, 2), made, quotation=q, n=n)
            except DomainError:  # a customer the rules refuse (an expired licence): the desk would skip it
                step.rollback()
                del made[mark:]
    for n, day in enumerate(spread(days, DIRECT)):
        rep = reps[(n + 1) % len(reps)]
        if not owned[rep.id]:
            continue
        customer = owned[rep.id][-1 - (n // len(reps)) % len(owned[rep.id])]
        # the last three: one sent back for a missing clause, one approved but not signed yet, one with the manager
        fate = {DIRECT - 3: "returned", DIRECT - 2: "approved", DIRECT - 1: "pending"}.get(n, "signed")
        mark = len(made)
        with db.session.begin_nested() as step:
            try:
                _contract(users, rep, day, made, customer=customer, n=n, fate=fate)
            except DomainError:
                step.rollback()
                del made[mark:]
    return made


def _renumber(made) -> None:
    """Number every document in its own month, in the order of the days they were written (and stamp
    its writing in that order)."""
    for doc_type, model, prefix in ((contracts.QUOTATION_TYPE, Quotation, "BJ"), (contracts.CONTRACT_TYPE, Contract, "HT")):
        docs = sorted(((doc, day) for t, doc, day in made if t == doc_type), key=lambda pair: (pair[1], pair[0].id))
        for doc, _day in docs:
            doc.number = f"T{doc.id}"
        db.session.flush()
        earlier: dict = {}
        for doc, day in docs:
            doc.number = numbering.monthly(prefix, model, month_of(day))
            doc.created_at = _at(day, 9, 10 + 9 * earlier.setdefault(day, 0))  # written in that order
            earlier[day] += 1
            db.session.flush()
            req = approvals.request_for(doc_type, doc.id)
            if req is not None:
                req.title = approvals.stored_title(approvals.adapter_for(doc_type), doc)


def _restamp(made) -> None:
    """Each document written, reviewed, signed, scanned and handed to finance on the days it happened."""
    for n, (doc_type, doc, day) in enumerate(made):
        req = approvals.request_for(doc_type, doc.id)
        if req is not None:
            last = restamp_approval(req, _at(day, 10, 5 * (n % 8)))
            if doc.approved_at is not None:
                doc.approved_at = last
        if doc_type == contracts.CONTRACT_TYPE and doc.signed_on is not None:
            if doc.scan_file_id:
                scan = db.session.get(Receipt, doc.scan_file_id)
                scan.created_at = _at(next_working_day(doc.signed_on), 11, 20)
            if doc.original_received_at is not None:
                doc.original_received_at = _at(next_working_day(doc.signed_on, 3), 15, 40)
        if doc_type == contracts.QUOTATION_TYPE and doc.status not in ("draft", "pending"):
            doc.valid_until = day + timedelta(days=30)


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
    reps = [users[f"rep{i}"] for i in range(1, 5)]
    customers = [_customer(rep) for rep in reps]
    if None in customers:
        return created
    made = _quarter(users, reps)
    valid = today_local() + timedelta(days=30)
    with db.session.begin_nested() as step:
        try:
            made += _seed(users, reps, customers, valid)
        except DomainError:  # a customer the rules refuse (an expired licence): the demo goes on without them
            step.rollback()
    _renumber(made)
    _restamp(made)
    db.session.flush()
    approval_ids = db.session.scalars(select(ApprovalRequest.id).where(
        ApprovalRequest.doc_type.in_((contracts.QUOTATION_TYPE, contracts.CONTRACT_TYPE))))
    forget_notices([*(f"approval:{i}:" for i in approval_ids), "order", "payment:", "shipment-", "invoice-",
                    "incoming:", "allocation:", "contract"])
    return created + len(made)


def _seed(users, reps: list, customers: list, valid) -> list:
    """The showcase, with the days its documents were written (returned for restamping)."""
    rep1, rep2, rep3, rep4 = reps
    c1, c2, c3, c4 = customers
    Q, C = contracts.QUOTATION_TYPE, contracts.CONTRACT_TYPE
    q1 = contracts.create_quotation(rep1, c1, _lines(("RO-1000", 1), ("MEM-4040", 8)), valid,
                                    "报价含运费及安装调试；有效期 30 天。")
    contracts.submit_quotation(rep1, q1)
    _approve(Q, q1)
    contracts.mark_sent(rep1, q1)
    first = _signed(users, rep1, quotation=q1, days_ago=21, delivery_terms="合同签订后 15 个工作日内交货",
                    payment_terms="签订后付 30% 预付款，验收合格后付清余款")
    contracts.upload_scan(rep1, first, "合同扫描件.png", demo_image("receipt-print"))
    contracts.confirm_original(users["finance"], first)
    _performed(users, first)
    second = _signed(users, rep2, customer=c2, items=(("PP-20", 400), ("AC-10", 2)), kind="distribution",
                     days_ago=6, payment_terms="月结 30 天", delivery_terms="按月订货，次月 5 日前对账")
    pending = contracts.create_contract(rep3, c3, _lines(("UF-200", 2)), payment_terms="",  # from the rules
                                        delivery_terms="到货后 7 日内验收")
    contracts.submit_contract(rep3, pending)
    q4 = contracts.create_quotation(rep4, c4, _lines(("SOFT-2", 2), ("UV-30", 2)), valid, "含税价，不含安装。")
    contracts.submit_quotation(rep4, q4)
    _approve(Q, q4)
    contracts.mark_sent(rep4, q4)
    draft = contracts.create_quotation(rep2, c2, _lines(("SF-10", 1)), valid, "")
    back = working_day_back
    return [(Q, q1, back(28)), (C, first, back(25)), (C, second, back(10)), (C, pending, back(2)),
            (Q, q4, back(4)), (Q, draft, back(1))]
