"""Reference data shared by every workflow: the product catalog."""

from decimal import Decimal

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .search_keys import PinyinName
from .types import Money


class Product(PinyinName, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    spec: Mapped[str] = mapped_column(String(120), default="")  # 型号/规格
    unit: Mapped[str] = mapped_column(String(20), default="台")
    list_price: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    active: Mapped[bool] = mapped_column(default=True)
