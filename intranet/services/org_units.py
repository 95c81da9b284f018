"""Teams (团队, each with its supervisor) and regions (区域): the manager maintains them; every
change is in the audit log. They are never deleted (people and records point at them), only renamed."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..models import Region, Team, User
from . import audit
from .errors import DomainError, Forbidden

MAINTAINERS = ("manager",)


def _require_maintainer(actor) -> None:
    if actor.role not in MAINTAINERS:
        raise Forbidden(_l("只有销售经理可以维护团队和区域"))


def _clean_name(model, name: str, current_id: int | None) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("请填写名称"), field="name")
    if len(name) > 60:
        raise DomainError(_l("名称最多 60 个字"), field="name")
    clash = db.session.scalar(select(model.id).where(func.lower(model.name) == name.lower(), model.id != (current_id or 0)))
    if clash:
        raise DomainError(_l("已有同名的一项"), field="name")
    return name


def save_team(actor, team: Team | None, *, name: str, supervisor: User | None) -> Team:
    _require_maintainer(actor)
    name = _clean_name(Team, name, team.id if team else None)
    if supervisor is not None and supervisor.role != "supervisor":
        raise DomainError(_l("团队主管须是销售主管"), field="supervisor")
    before = {"name": team.name, "supervisor_id": team.supervisor_id} if team else None
    if team is None:
        team = Team(name=name, supervisor=supervisor)
        db.session.add(team)
    else:
        team.name, team.supervisor = name, supervisor
    db.session.flush()
    audit.record(actor, "team.create" if before is None else "team.update", team, before=before,
                 after={"name": team.name, "supervisor_id": team.supervisor_id})
    return team


def save_region(actor, region: Region | None, *, name: str) -> Region:
    _require_maintainer(actor)
    name = _clean_name(Region, name, region.id if region else None)
    before = {"name": region.name} if region else None
    if region is None:
        region = Region(name=name)
        db.session.add(region)
    else:
        region.name = name
    db.session.flush()
    audit.record(actor, "region.create" if before is None else "region.update", region, before=before,
                 after={"name": region.name})
    return region
