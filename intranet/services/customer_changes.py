"""Master data under four eyes (双人复核, SPEC 2.9): a change of the credit limit (授信额度,
granted by the sales director), of the invoicing details (开票信息, confirmed by a second person,
the sales manager) or of a product's list price (价目, the sales manager) is filed as a MasterChange through the approval engine and applied only when
approved. Whoever asked never confirms it (the engine's four-eyes rule)."""

from __future__ import annotations

from decimal import Decimal

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Customer, Product, User
from ..models.orders import MasterChange
from . import approvals, audit

DOC_TYPE = "customer_change"
GUARDED = {"credit": ("credit_limit",), "invoicing": ("tax_id", "bank", "account", "invoice_address")}
KIND_LABELS = {"credit": _l("授信额度变更"), "invoicing": _l("开票信息变更"), "price": _l("价目变更")}
FIELD_LABELS = {"credit_limit": _l("信用额度"), "tax_id": _l("税号"), "bank": _l("开户银行"), "account": _l("银行账号"),
                "invoice_address": _l("开票地址及电话"), "list_price": _l("标准价")}


def _plain(value):
    return f"{Decimal(value):.2f}" if isinstance(value, Decimal | int) and not isinstance(value, bool) else (value or "")


def split(values: dict) -> tuple[dict, dict]:
    """(the fields that take effect now, the guarded ones that wait for a second person)."""
    guarded = {f for fields in GUARDED.values() for f in fields}
    return ({k: v for k, v in values.items() if k not in guarded}, {k: v for k, v in values.items() if k in guarded})


def propose(actor: User, customer: Customer, guarded: dict) -> list[MasterChange]:
    """File one change per kind whose values differ from the customer's; nothing is applied yet."""
    made = []
    for kind, fields in GUARDED.items():
        after = {f: _plain(guarded[f]) for f in fields if f in guarded}
        before = {f: _plain(getattr(customer, f)) for f in after}
        if kind == "credit" and "credit_limit" in after:
            after["credit_limit"] = _plain(Decimal(str(after["credit_limit"] or 0)))
        if after == before:
            continue
        change = MasterChange(customer_id=customer.id, kind=kind, before=before, after=after,
                              requested_by_id=actor.id, status="pending")
        change.customer, change.requested_by = customer, actor
        db.session.add(change)
        db.session.flush()
        audit.record(actor, "customer.change.request", change, before=before, after=after)
        approvals.submit(actor, DOC_TYPE, change)
        made.append(change)
    return made


def propose_price(actor: User, product: Product, list_price: Decimal) -> MasterChange | None:
    """A new list price (价目) of an existing product waits for a second person (双人复核)."""
    before, after = {"list_price": _plain(product.list_price)}, {"list_price": _plain(Decimal(list_price))}
    if before == after:
        return None
    change = MasterChange(product_id=product.id, kind="price", before=before, after=after,
                          requested_by_id=actor.id, status="pending")
    change.product, change.requested_by = product, actor
    db.session.add(change)
    db.session.flush()
    audit.record(actor, "product.price.request", change, before=before, after=after)
    approvals.submit(actor, DOC_TYPE, change)
    return change


def pending_prices(product: Product) -> list[MasterChange]:
    return list(db.session.scalars(select(MasterChange).where(MasterChange.product_id == product.id,
                                                              MasterChange.status == "pending")
                                   .order_by(MasterChange.id)))


def pending(customer: Customer) -> list[MasterChange]:
    return list(db.session.scalars(select(MasterChange).where(MasterChange.customer_id == customer.id,
                                                              MasterChange.status == "pending")
                                   .order_by(MasterChange.id)))


def _apply(change: MasterChange, actor: User) -> None:
    if change.kind == "price":
        product = change.product
        before = {"list_price": _plain(product.list_price)}
        product.list_price = Decimal(change.after["list_price"])
        change.status = "applied"
        audit.record(actor, "product.price.apply", product, before=before, after=dict(change.after))
        return
    customer = change.customer
    before = {f: _plain(getattr(customer, f)) for f in change.after}
    for name, value in change.after.items():
        setattr(customer, name, Decimal(value) if name == "credit_limit" else value)
    change.status = "applied"
    audit.record(actor, "customer.change.apply", customer, before=before, after=dict(change.after))


class CustomerChangeAdapter(approvals.Adapter):
    def load(self, doc_id):
        return db.session.get(MasterChange, doc_id)

    def title(self, doc) -> str:
        if doc.kind == "price":
            return str(_l("%(kind)s · %(customer)s", kind=KIND_LABELS[doc.kind],
                          customer=f"{doc.product.code} {doc.product.name}"))
        return str(_l("%(kind)s · %(customer)s", kind=KIND_LABELS[doc.kind], customer=doc.customer.name))

    def owner(self, doc):
        return doc.requested_by

    def url(self, doc) -> str:
        if doc.kind == "price":
            try:
                return url_for("org.product_edit", product_id=doc.product_id)
            except RuntimeError:
                return f"/org/products/{doc.product_id}"
        try:
            return url_for("customers.detail", customer_id=doc.customer_id)
        except RuntimeError:
            return f"/customers/{doc.customer_id}"

    def summary(self, doc):
        return [(FIELD_LABELS[f], f"{doc.before.get(f) or '—'} → {doc.after[f] or '—'}") for f in doc.after]

    def adjust_steps(self, steps, doc):
        if doc.kind == "credit":
            return [approvals.step_dict(_l("销售总监核定授信额度"), "role", "director")]
        if doc.kind == "price":
            return [approvals.step_dict(_l("销售经理复核价目"), "role", "manager")]
        return [approvals.step_dict(_l("销售经理复核开票信息"), "role", "manager")]

    def on_approved(self, doc, actor):
        _apply(doc, actor)

    def on_rejected(self, doc, actor, comment):
        doc.status = "refused"

    def on_withdrawn(self, doc, actor):
        doc.status = "refused"


ADAPTER = approvals.register(CustomerChangeAdapter(DOC_TYPE, _l("客户资料变更"),
                                                   [approvals.step_dict(_l("销售总监审批"), "role", "director")]))
