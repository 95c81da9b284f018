"""People and the organisation: regions, teams, users with one role each."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .search_keys import PinyinName
from .types import UTCDateTime, utcnow

ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")
# The one set of role names every page, form and email shows (a role is stored as its code).
ROLE_LABELS = {
    "rep": _l("销售代表"), "supervisor": _l("销售主管"), "manager": _l("销售经理"), "director": _l("销售总监"),
    "gm": _l("总经理"), "assistant": _l("销售内勤"), "finance": _l("财务"),
}
# Seniority used for delegation ("same or higher role") and escalation.
ROLE_RANK = {"rep": 1, "assistant": 2, "finance": 2, "supervisor": 3, "manager": 4, "director": 5, "gm": 6}


class Region(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)


class Team(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", use_alter=True))
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])


class User(PinyinName, UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    email: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    reports_to_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    # Bumped on logout-everywhere, password change and deactivation: every
    # session cookie carries it, so old sessions stop at their next request.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reports_to: Mapped[User | None] = relationship(remote_side=[id], foreign_keys=[reports_to_id])
    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])
    region: Mapped[Region | None] = relationship()

    def set_password(self, password: str) -> None:
        # scrypt is werkzeug's default KDF; spelled out so a library default change is visible.
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def rank(self) -> int:
        return ROLE_RANK[self.role]

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
