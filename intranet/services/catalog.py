"""Product catalog maintenance (manager and assistant)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..models import Product
from . import audit
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
    product = product or Product()
    for name, value in fields.items():
        setattr(product, name, value)
    db.session.add(product)
    db.session.flush()
    audit.record(actor, "product.update" if before else "product.create", product, before=before,
                 after=_snapshot(product))
    return product
