"""Product catalog maintenance (manager and assistant). A new product starts at its price; a changed
list price of an existing product takes effect only after a second person confirms it
(services/customer_changes.propose_price, 双人复核)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..models import Product
from . import audit, customer_changes
from .errors import DomainError, Forbidden

MAINTAINERS = ("manager", "assistant")


def _snapshot(p: Product) -> dict:
    return {"code": p.code, "name": p.name, "spec": p.spec, "unit": p.unit, "list_price": p.list_price,
            "active": p.active}


def save_product(actor, product: Product | None, **fields) -> Product:
    if actor.role not in MAINTAINERS:
        raise Forbidden(_l("只有销售经理和销售内勤可以维护产品目录"))
    clash = select(Product.id).where(func.lower(Product.code) == fields["code"].lower())
    if product is not None:
        clash = clash.where(Product.id != product.id)
    if db.session.scalar(clash):
        raise DomainError(_l("产品编码已存在"), field="code")
    before = _snapshot(product) if product else None
    new_price = fields.pop("list_price", None) if product is not None else None
    product = product or Product()
    for name, value in fields.items():
        setattr(product, name, value)
    db.session.add(product)
    db.session.flush()
    audit.record(actor, "product.update" if before else "product.create", product, before=before,
                 after=_snapshot(product))
    if new_price is not None:  # a changed list price waits for the second person
        customer_changes.propose_price(actor, product, new_price)
    return product
