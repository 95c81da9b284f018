"""Desk cards: the assistant's store (low stock, requests to issue, unconfirmed mailings), the
checks waiting for the second pair of eyes, and a rep's own requests and samples on loan."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import User
from ..models.samples import SampleRequest
from ..services import mailings as mail_svc
from ..services import samples as svc
from ..web.desk import card

SHOWN = 8


@card("samples_store", "samples/cards/store.html", ("assistant",), order=35)
def store_card(user: User) -> dict:
    return {"low": svc.low_stock_items()[:SHOWN], "to_issue": svc.issues_to_do()[:SHOWN],
            "unconfirmed": mail_svc.overdue()[:SHOWN], "svc": svc}


@card("samples_checks", "samples/cards/checks.html", ("assistant", "manager", "director"), order=36)
def checks_card(user: User) -> dict:
    docs = svc.to_check(user)
    return {"docs": docs[:SHOWN], "total": len(docs), "svc": svc}


@card("samples_mine", "samples/cards/mine.html", ("rep",), order=45)
def mine_card(user: User) -> dict:
    docs = db.session.scalars(select(SampleRequest).where(SampleRequest.rep_id == user.id)
                              .order_by(SampleRequest.id.desc()).limit(5)).all()
    return {"docs": docs, "loan": svc.on_loan(user), "svc": svc, "title": _l("我的样品领用")}
