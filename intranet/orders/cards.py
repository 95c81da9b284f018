"""Desk cards: the assistant's order desk counts, finance's payments to confirm, a rep's orders."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import User
from ..models.orders import Order
from ..services import payments as pay_svc
from ..services import shipments as ship_svc
from ..web.desk import card

SHOWN = 8


@card("orders_desk", "orders/cards/desk.html", ("assistant", "manager"), order=30)
def desk_card(user: User) -> dict:
    return {"checks": ship_svc.to_check(user)[:SHOWN], "notices": ship_svc.overdue_notices()[:SHOWN],
            "payments": pay_svc.waiting()[:SHOWN]}


@card("orders_payments", "orders/cards/payments.html", ("finance",), order=30)
def payments_card(user: User) -> dict:
    return {"payments": pay_svc.waiting()[:SHOWN]}


@card("orders_mine", "orders/cards/mine.html", ("rep",), order=40)
def mine_card(user: User) -> dict:
    orders = db.session.scalars(select(Order).where(Order.rep_id == user.id).order_by(Order.id.desc()).limit(5)).all()
    return {"orders": orders, "title": _l("我的客户订单")}
