"""Users and the org chart: the manager maintains them; everyone owns their password."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..models import ROLES, User
from . import approvals, audit
from .errors import DomainError, Forbidden

MIN_PASSWORD = 8


def _snapshot(user: User) -> dict:
    return {
        "username": user.username, "name": user.name, "email": user.email, "role": user.role,
        "reports_to_id": user.reports_to_id, "team_id": user.team_id, "region_id": user.region_id,
        "active": user.active,
    }


def _require_manager(actor) -> None:
    if actor.role != "manager":
        raise Forbidden(_l("只有销售经理可以维护人员"))


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise DomainError(_l("密码至少 %(n)d 位", n=MIN_PASSWORD), field="password")


def create_user(actor, *, username, name, email, role, password, reports_to=None, team=None, region=None) -> User:
    _require_manager(actor)
    if role not in ROLES:
        raise DomainError(_l("未知角色"), field="role")
    taken = db.session.scalar(select(func.count()).where(func.lower(User.username) == username.lower()))
    if taken:
        raise DomainError(_l("用户名已存在"), field="username")
    _check_password(password)
    user = User(username=username, name=name, email=email, role=role, reports_to=reports_to,
                team=team, region=region)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, after=_snapshot(user))
    return user


def update_user(actor, user: User, **fields) -> User:
    _require_manager(actor)
    if fields.get("reports_to") is not None and fields["reports_to"].id == user.id:
        raise DomainError(_l("不能汇报给自己"), field="reports_to")
    before = _snapshot(user)
    held = approvals.requests_held_by(user) if "role" in fields and fields["role"] != user.role else []
    for name, value in fields.items():
        setattr(user, name, value)
    db.session.flush()
    audit.record(actor, "user.update", user, before=before, after=_snapshot(user))
    approvals.reroute(actor, held, user)
    return user


def set_active(actor, user: User, active: bool) -> None:
    _require_manager(actor)
    if user.id == actor.id and not active:
        raise DomainError(_l("不能停用自己的账号"))
    before = _snapshot(user)
    held = approvals.requests_held_by(user) if not active else []
    user.active = active
    if not active:
        user.session_version += 1  # ends every session of that user at their next request
    db.session.flush()
    audit.record(actor, "user.deactivate" if not active else "user.activate", user, before=before,
                 after=_snapshot(user))
    approvals.reroute(actor, held, user)


def reset_password(actor, user: User, new_password: str) -> None:
    _require_manager(actor)
    _check_password(new_password)
    user.set_password(new_password)
    user.session_version += 1
    db.session.flush()
    audit.record(actor, "user.reset_password", user)


def change_own_password(user: User, current: str, new_password: str) -> None:
    if not user.check_password(current):
        raise DomainError(_l("当前密码不正确"), field="current")
    _check_password(new_password)
    user.set_password(new_password)
    user.session_version += 1
    db.session.flush()
    audit.record(user, "user.change_password", user)


def end_all_sessions(user: User) -> None:
    user.session_version += 1
    db.session.flush()


def subordinates(user: User) -> list[User]:
    return list(db.session.scalars(select(User).where(User.reports_to_id == user.id, User.active)))
