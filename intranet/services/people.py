"""Users and the org chart: the manager maintains them; everyone owns their password."""

from dataclasses import dataclass, field

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


def set_active(actor, user: User, active: bool, override_reason: str = "") -> None:
    _require_manager(actor)
    if user.id == actor.id and not active:
        raise DomainError(_l("不能停用自己的账号"))
    if not active and not (override_reason or "").strip() and open_advances(user):
        raise DomainError(_l("该员工还有借款未结清，请先结清；确需停用请在交接中填写原因"), field="override_reason")
    before = _snapshot(user)
    held = approvals.requests_held_by(user) if not active else []
    moved = _move_reports_up(user) if not active else []
    user.active = active
    if not active:
        user.session_version += 1  # ends every session of that user at their next request
    db.session.flush()
    audit.record(actor, "user.deactivate" if not active else "user.activate", user, before=before,
                 after={**_snapshot(user), "reports_moved_to": _moved_to(user, moved)})
    approvals.reroute(actor, held, user)


def _move_reports_up(user: User) -> list[User]:
    """A team must never report to an inactive person (nobody would approve its leave and claims):
    whoever still reports to the leaver goes one level up, to the leaver's own superior. A handover
    (deactivate_with_handover) moves them to the named successor first, so then nobody is left here."""
    team = subordinates(user)
    for person in team:
        person.reports_to_id = user.reports_to_id
    return team


def _moved_to(user: User, moved: list[User]) -> dict | None:
    if not moved:
        return None
    return {"to": user.reports_to.username if user.reports_to else None, "staff": [u.username for u in moved]}


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


# ---- a leaver in one step ----------------------------------------------------------------

@dataclass
class Handover:
    """What a leaver still holds: handed to a named colleague in one audited step."""

    customers: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    enquiries: list = field(default_factory=list)
    samples: list = field(default_factory=list)  # samples.on_loan rows
    approvals: list = field(default_factory=list)  # requests waiting on the leaver's decision
    advances: list = field(default_factory=list)  # unsettled: refused unless overridden with a reason
    reports: list = field(default_factory=list)  # active staff reporting to the leaver

    @property
    def empty(self) -> bool:
        return not any((self.customers, self.follow_ups, self.enquiries, self.samples, self.approvals,
                        self.advances, self.reports))


def open_advances(user: User) -> list:
    """Advances not yet settled: waiting for approval or payout, or paid and not fully offset/returned."""
    from ..models import Advance
    from ..models.expenses import APPROVED, PAID, PENDING

    rows = db.session.scalars(select(Advance).where(Advance.requester_id == user.id,
                                                    Advance.status.in_((PENDING, APPROVED, PAID)))
                              .order_by(Advance.id))
    return [a for a in rows if a.status != PAID or a.outstanding > 0]


def handover_items(user: User) -> Handover:
    from ..models import Customer
    from . import enquiries, samples, visits

    return Handover(
        customers=list(db.session.scalars(select(Customer).where(Customer.owner_id == user.id).order_by(Customer.name))),
        follow_ups=visits.open_follow_ups(user), enquiries=enquiries.open_for(user), samples=samples.on_loan(user),
        approvals=approvals.requests_held_by(user), advances=open_advances(user), reports=subordinates(user))


def successors_for(user: User) -> list[User]:
    """Who may take over: active colleagues of the same role."""
    return list(db.session.scalars(select(User).where(User.active, User.role == user.role, User.id != user.id)
                                   .order_by(User.name)))


def deactivate_with_handover(actor, leaver: User, successor: User | None, override_reason: str = "") -> Handover:
    """Deactivate `leaver` and hand everything they hold to `successor` in one step (one audit entry
    listing it all). Refused while an advance is unsettled, unless the manager gives a reason; the
    advance itself stays the leaver's debt (finance settles it), the reason is in the audit trail."""
    from ..models import SampleRequest
    from . import enquiries, visits

    _require_manager(actor)
    if leaver.id == actor.id:
        raise DomainError(_l("不能停用自己的账号"))
    if not leaver.active:
        raise DomainError(_l("该用户已停用"))
    audit.lock()
    db.session.scalar(select(User).where(User.id == leaver.id).with_for_update())  # one handover at a time
    items = handover_items(leaver)
    reason = (override_reason or "").strip()
    if items.advances and not reason:
        raise DomainError(_l("该员工还有 %(n)d 笔借款未结清，请先结清；确需停用请填写原因", n=len(items.advances)),
                          field="override_reason")
    if not items.empty and (successor is None or not successor.active or successor.id == leaver.id
                            or successor.role != leaver.role):
        raise DomainError(_l("请选择一位同岗位的在职同事接手"), field="successor")
    for customer in items.customers:
        customer.owner = successor
    for person in items.reports:
        person.reports_to = successor
    visits.hand_over_follow_ups(leaver, successor)
    enquiries.hand_over(actor, leaver, successor)
    for request_id in {row["request"].id for row in items.samples}:
        db.session.get(SampleRequest, request_id).rep = successor
    for request in items.approvals:
        if successor in approvals.reassignable(request):
            approvals.reassign_on_handover(actor, request, leaver, successor)
    db.session.flush()
    audit.record(actor, "user.handover", leaver, after={
        "successor": successor.username if successor else None,
        "customers": [c.id for c in items.customers], "follow_ups": [f.id for f in items.follow_ups],
        "enquiries": [e.id for e in items.enquiries],
        "sample_requests": sorted({row["request"].id for row in items.samples}),
        "approvals": [r.id for r in items.approvals], "reports": [u.username for u in items.reports],
        "advances_left_open": [a.id for a in items.advances],
        "override_reason": reason})
    set_active(actor, leaver, False, override_reason=reason)
    return items
