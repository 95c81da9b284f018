"""Desk cards: what the person still has to read or sign, their open tasks and the tasks waiting
for their check; for the assistant also the seal uses to stamp and the overdue loans."""

from sqlalchemy import select

from ..extensions import db
from ..models import User
from ..models.office import APPROVED, SealUse
from ..services import archive, correspondence, minutes, notices, tenders
from ..web.desk import card

SHOWN = 6


@card("office_mine", "office/cards/mine.html", ("rep", "supervisor", "manager", "director", "gm", "assistant",
                                                "finance"), order=40)
def mine_card(user: User) -> dict:
    return {"to_read": notices.waiting_for(user)[:SHOWN], "tasks": minutes.open_for(user)[:SHOWN],
            "to_check": minutes.to_check(user)[:SHOWN], "task_svc": minutes,
            "mail": correspondence.waiting_for(user)[:SHOWN], "mail_reg": correspondence,
            "tenders": tenders.open_for(user)[:SHOWN]}


@card("office_keeper", "office/cards/keeper.html", ("assistant",), order=37)
def keeper_card(user: User) -> dict:
    to_stamp = db.session.scalars(select(SealUse).where(SealUse.status == APPROVED, SealUse.stamped_at.is_(None),
                                                        SealUse.out_at.is_(None)).order_by(SealUse.id).limit(SHOWN)).all()
    return {"to_stamp": to_stamp, "overdue": archive.overdue_loans()[:SHOWN]}
