"""The foundation's desk cards: my to-do list (every workflow feeds it)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .extensions import db
from .models import Todo, User
from .models.people import ROLES
from .web.desk import card, nav


@card("todos", "desks/cards/todos.html", ROLES, order=10)
def todos_card(user: User) -> dict:
    items = db.session.scalars(
        select(Todo).where(Todo.user_id == user.id, Todo.done.is_(False)).order_by(Todo.id.desc()).limit(10)
    ).all()
    return {"todos": items}


nav("org.users", _l("人员"), ("manager",), order=80)
nav("org.units", _l("团队与区域"), ("manager",), order=80)
nav("org.products", _l("产品目录"), ("manager", "assistant"), order=81)
nav("org.settings", _l("规则设置"), ("manager", "assistant"), order=82)
nav("org.audit_log", _l("操作日志"), ("manager", "director", "gm", "assistant"), order=90)
