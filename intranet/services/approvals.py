"""The one approval engine every document type signs through (SPEC 3).

A document type plugs in with an Adapter (title, amount, owner, what happens on
the final decision). Routes are data; a request snapshots its route when first
submitted, so later route edits never change a document already under way.

Rules enforced here, whatever the UI shows:
- four eyes: the submitter and the preparers never decide their own document,
  not even through a delegation; a two-reviewer step needs two different people;
- a step is decided once: the request row is locked (SELECT … FOR UPDATE) and
  the decision names the step and round it saw, so a late second decision gets
  AlreadyDecided instead of counting twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from flask import url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..clock import now_utc, today_local
from ..extensions import db
from ..models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRoute,
    Delegation,
    RouteStep,
    User,
)
from ..models.approvals import (
    APPROVED,
    LINE_MANAGER,
    PENDING,
    REJECTED,
    RETURNED,
    ROLE,
    SECOND_LINE,
    WITHDRAWN,
)
from . import audit, notify
from .errors import AlreadyDecided, DomainError, Forbidden

ACTIONS = ("approve", "reject", "return")
NOT_FOUND = _l("审批单不存在")

STATUS_LABELS = {PENDING: _l("审批中"), APPROVED: _l("已通过"), REJECTED: _l("已驳回"), RETURNED: _l("已退回修改"),
                 WITHDRAWN: _l("已撤回")}
ACTION_LABELS = {"submit": _l("提交"), "approve": _l("通过"), "reject": _l("驳回"), "return": _l("退回修改"),
                 "withdraw": _l("撤回")}
KIND_LABELS = {ROLE: _l("按角色"), LINE_MANAGER: _l("直属上级"), SECOND_LINE: _l("上级的上级")}


# ---- adapters ---------------------------------------------------------------

@dataclass
class Adapter:
    """How a document type plugs into the engine. Subclass and register()."""

    doc_type: str
    label: object  # shown in the inbox, e.g. _l("退货申请")
    default_steps: list[dict] = field(default_factory=list)
    # What a step's 金额起点 counts on this type's route: money, or days (leave, "超过 3 天").
    threshold_unit: str = "money"

    def load(self, doc_id: int):
        raise NotImplementedError

    def load_many(self, doc_ids: list[int]) -> dict:
        """{doc_id: doc} for bulk decisions; override with one query (e.g. `Model.id.in_(ids)`)."""
        return {doc_id: self.load(doc_id) for doc_id in doc_ids}

    def title(self, doc) -> str:
        return f"{self.label} #{doc.id}"

    def amount(self, doc) -> Decimal | None:
        return None

    def owner(self, doc) -> User:
        raise NotImplementedError

    def preparers(self, doc) -> Iterable[int]:
        return ()

    def url(self, doc) -> str:
        """The document's own page (shown from the inbox drawer and in emails)."""
        return ""

    def summary(self, doc) -> list[tuple[object, object]]:
        """(label, value) pairs shown in the inbox's detail drawer."""
        return []

    def adjust_steps(self, steps: list[dict], doc) -> list[dict]:
        """A type may insist on steps whatever the route says (returns: director, then gm)."""
        return steps

    def on_submitted(self, doc, actor) -> None: ...

    def on_approved(self, doc, actor) -> None: ...

    def on_rejected(self, doc, actor, comment: str) -> None: ...

    def on_returned(self, doc, actor, comment: str) -> None: ...

    def on_withdrawn(self, doc, actor) -> None: ...


# The document status each engine event sets, for a type whose states mirror the request's.
STANDARD_STATUSES = {"submitted": PENDING, "approved": APPROVED, "rejected": REJECTED, "returned": RETURNED,
                     "withdrawn": WITHDRAWN}


@dataclass
class ModelAdapter(Adapter):
    """A document type backed by one model, declared instead of coded:

        register(ModelAdapter("trip", _l("出差申请"), model=Trip, owner_attr="user",
                              amount_attr="estimated_cost", title_of=lambda d: ..., endpoint="x.trip",
                              id_arg="trip_id", statuses=STANDARD_STATUSES, stamps={"approved": "approved_at"}))

    load / load_many (one query) / title / amount / owner / url come from the declaration; each engine
    event sets the status it maps to (audited as "<model>.<status_attr>", or through `on_status`) and
    stamps the time in the attribute `stamps` names. Subclass only for what is particular to the type
    (notices, step rules, a summary) and call super() to keep the declared status change.
    """

    model: type | None = None
    owner_attr: str = "owner"
    amount_attr: str | None = None
    title_of: Callable | None = None  # doc -> str; default "<label> #<id>"
    summary_of: Callable | None = None  # doc -> [(label, value)]
    endpoint: str = ""  # the document's page, built with {id_arg: doc.id}
    id_arg: str = ""
    status_attr: str = "status"
    statuses: dict[str, str] = field(default_factory=dict)  # engine event -> document status
    stamps: dict[str, str] = field(default_factory=dict)  # engine event -> timestamp attribute
    on_status: Callable | None = None  # (doc, actor, status) -> None, instead of the default change

    def load(self, doc_id: int):
        return db.session.get(self.model, doc_id)

    def load_many(self, doc_ids: list[int]) -> dict:
        if not doc_ids:
            return {}
        return {d.id: d for d in db.session.scalars(select(self.model).where(self.model.id.in_(doc_ids)))}

    def title(self, doc) -> str:
        return self.title_of(doc) if self.title_of else super().title(doc)

    def amount(self, doc) -> Decimal | None:
        return getattr(doc, self.amount_attr) if self.amount_attr else None

    def owner(self, doc) -> User:
        return getattr(doc, self.owner_attr)

    def url(self, doc) -> str:
        if not self.endpoint:
            return ""
        from .links import link

        try:
            return link(self.endpoint, **{self.id_arg: doc.id})
        except RuntimeError:  # no application at all: no link
            return ""

    def summary(self, doc) -> list[tuple[object, object]]:
        return self.summary_of(doc) if self.summary_of else []

    def change_status(self, doc, actor, event: str) -> None:
        if event in self.stamps:
            setattr(doc, self.stamps[event], now_utc())
        status = self.statuses.get(event)
        if status is None:
            return
        if self.on_status is not None:
            self.on_status(doc, actor, status)
            return
        before = getattr(doc, self.status_attr)
        setattr(doc, self.status_attr, status)
        audit.record(actor, f"{self.model.__name__.lower()}.{self.status_attr}", doc,
                     before={self.status_attr: before}, after={self.status_attr: status})

    def on_submitted(self, doc, actor) -> None:
        self.change_status(doc, actor, "submitted")

    def on_approved(self, doc, actor) -> None:
        self.change_status(doc, actor, "approved")

    def on_rejected(self, doc, actor, comment: str) -> None:
        self.change_status(doc, actor, "rejected")

    def on_returned(self, doc, actor, comment: str) -> None:
        self.change_status(doc, actor, "returned")

    def on_withdrawn(self, doc, actor) -> None:
        self.change_status(doc, actor, "withdrawn")


ADAPTERS: dict[str, Adapter] = {}


def register(adapter: Adapter) -> Adapter:
    ADAPTERS[adapter.doc_type] = adapter
    return adapter


def adapter_for(doc_type: str) -> Adapter:
    return ADAPTERS[doc_type]


def document(request: ApprovalRequest):
    return adapter_for(request.doc_type).load(request.doc_id)


def document_or_none(request: ApprovalRequest):
    """The document, or None when its type is no longer registered or the row is gone."""
    adapter = ADAPTERS.get(request.doc_type)
    if adapter is None:
        return None
    try:
        return adapter.load(request.doc_id)
    except (KeyError, LookupError):
        return None


# ---- routes -------------------------------------------------------------------

def step_dict(name, approver_kind=ROLE, role=None, min_amount=None, reviewers=1) -> dict:
    with force_locale("zh_CN"):  # stored in the company's language, shown in the reader's (web/stored_labels.py)
        name = str(name)
    return {"name": name, "approver_kind": approver_kind, "role": role,
            "min_amount": None if min_amount is None else f"{Decimal(min_amount):.2f}", "reviewers": reviewers}


def route_steps(doc_type: str) -> list[dict]:
    route = db.session.scalar(select(ApprovalRoute).where(ApprovalRoute.doc_type == doc_type))
    if route is None:
        return list(adapter_for(doc_type).default_steps)
    return [step_dict(s.name, s.approver_kind, s.role, s.min_amount, s.reviewers) for s in route.steps]


def save_route(actor, doc_type: str, steps: list[dict]) -> ApprovalRoute:
    """Replace a type's route. Applies to documents submitted from now on."""
    if actor.role not in ("manager", "director"):
        raise Forbidden(_l("只有销售经理或销售总监可以修改审批流程"))
    if not steps:
        raise DomainError(_l("审批流程至少需要一个步骤"))
    for s in steps:
        if s["approver_kind"] == ROLE and not s.get("role"):
            raise DomainError(_l("按角色审批的步骤必须选择角色"))
        if s["approver_kind"] == ROLE and s["role"] not in APPROVER_ROLES:
            raise DomainError(_l("步骤「%(step)s」：该角色不能审批单据，请选择主管、经理、总监、总经理、内勤或财务",
                                 step=s["name"]), field="steps")
        if s.get("reviewers") not in (1, 2):
            raise DomainError(_l("复核人数只能是 1 或 2"))
        _check_someone_holds(s)
    route = db.session.scalar(select(ApprovalRoute).where(ApprovalRoute.doc_type == doc_type))
    before = route_steps(doc_type)
    if route is None:
        route = ApprovalRoute(doc_type=doc_type)
        db.session.add(route)
    route.steps = [RouteStep(position=i, name=s["name"], approver_kind=s["approver_kind"], role=s.get("role"),
                             min_amount=None if s.get("min_amount") in (None, "") else Decimal(s["min_amount"]),
                             reviewers=s.get("reviewers", 1)) for i, s in enumerate(steps)]
    route.updated_by_id, route.updated_at = actor.id, now_utc()
    db.session.flush()
    audit.record(actor, "approval.route.update", route, before={"steps": before}, after={"steps": route_steps(doc_type)})
    return route


def _check_someone_holds(step: dict) -> None:
    """A role step must name a role that approves, and the role with the levels above it must have
    enough people in post: otherwise documents would wait at it for nobody (a line-manager step
    is covered by going up the line)."""
    if step["approver_kind"] != ROLE:
        return
    role = step["role"]
    level = ESCALATION_LADDER.index(role) if role in ESCALATION_LADDER else 0
    roles = {role, *ESCALATION_LADDER[level + 1:]}
    people = db.session.scalar(select(func.count(User.id)).where(User.role.in_(roles), User.active))
    if people < step.get("reviewers", 1):
        raise DomainError(_l("步骤「%(step)s」：该角色及以上在职人员不足 %(n)d 人，单据会无人审批",
                             step=step["name"], n=step.get("reviewers", 1)))


def _applicable(steps: list[dict], amount: Decimal | None) -> list[dict]:
    def applies(s):
        return s.get("min_amount") in (None, "") or (amount is not None and amount > Decimal(s["min_amount"]))

    return [s for s in steps if applies(s)]


# ---- who may decide ---------------------------------------------------------------

# Roles that may approve at all, and those among them whose reach is a team or line, not the department:
# a 按角色 step for such a role means "the submitter's own supervisor", never every supervisor.
APPROVER_ROLES = ("supervisor", "manager", "director", "gm", "assistant", "finance")
LINE_ROLES = ("supervisor", "rep")


def _line_of(submitter: User) -> set[int]:
    """The submitter's chain of command (boss, boss's boss, …)."""
    ids, boss = set(), submitter.reports_to
    while boss is not None and boss.id not in ids:
        ids.add(boss.id)
        boss = boss.reports_to
    return ids


def scoped(step: dict, submitter: User, people: list[User]) -> list[User]:
    """A role step's people, limited to the submitter's line for a role below the department level
    (and to nobody for a role that cannot approve, should an old route still name one)."""
    if step.get("role") not in APPROVER_ROLES:
        return []
    if step.get("role") in LINE_ROLES:
        line = _line_of(submitter)
        return [u for u in people if u.id in line]
    return people


def step_deciders(request: ApprovalRequest, step: dict) -> list[User]:
    """The people who may decide a step (before delegation and four-eyes exclusions): those it
    names, or — when none of them can (all excluded, absent or gone) — the next level up."""
    return with_fallback(request, step, named_deciders(request, step))


def named_deciders(request: ApprovalRequest, step: dict) -> list[User]:
    """The active people a step names (or the person the manager reassigned it to)."""
    if step.get("assigned_to"):
        return [u for u in [db.session.get(User, step["assigned_to"])] if u and u.active]
    submitter = request.submitter
    if step["approver_kind"] == LINE_MANAGER:
        return [u for u in [submitter.reports_to] if u and u.active]
    if step["approver_kind"] == SECOND_LINE:
        boss = submitter.reports_to
        return [u for u in [boss.reports_to if boss else None] if u and u.active]
    return scoped(step, submitter, list(db.session.scalars(select(User).where(User.role == step["role"], User.active))))


# The line of authority a step goes up when nobody it names can decide it.
ESCALATION_LADDER = ("supervisor", "manager", "director", "gm")


def _still_needed(request: ApprovalRequest, step: dict) -> int:
    """How many more approvals the (current) step needs."""
    return step.get("reviewers", 1) - len(_step_approvals(request))


def _eligible(request: ApprovalRequest, people: list[User]) -> list[User]:
    done = {d.decider_id for d in _step_approvals(request)} if request.step is not None else set()
    excluded = _excluded(request) | done
    return [u for u in people if u.id not in excluded]


def with_fallback(request: ApprovalRequest, step: dict, named: list[User]) -> list[User]:
    """`named`, plus the next level up when they cannot make up the step on their own (SPEC 3:
    four eyes means the submitter never decides, so a manager's own document at 销售经理审批
    goes to the director). One rule for every document type; no query in the usual case."""
    if len(_eligible(request, named)) >= _still_needed(request, step):
        return named
    return named + [u for u in escalated_to(request, step, named) if u not in named]


def _step_level(request: ApprovalRequest, step: dict, named: list[User]) -> int:
    """Where on the ladder a step sits: its role, or the rank of the person it names."""
    return _level(step, named[0].role if named else None, request.submitter.role)


def _level(step: dict, first_named_role: str | None, submitter_role: str) -> int:
    """_step_level from plain values (the inbox's pre-filter computes it without loading anything)."""
    role = step.get("role") if step["approver_kind"] == ROLE else first_named_role
    if role in ESCALATION_LADDER:
        return ESCALATION_LADDER.index(role)
    if role is None and step["approver_kind"] != ROLE:  # the line manager has left: start above the submitter
        return ESCALATION_LADDER.index(submitter_role) if submitter_role in ESCALATION_LADDER else 0
    return 0  # assistant, finance, rep: the department's manager is next


def escalated_to(request: ApprovalRequest, step: dict, named: list[User]) -> list[User]:
    """The first level above the step with someone who may decide it."""
    needed = _still_needed(request, step) - len(_eligible(request, named))
    for role in ESCALATION_LADDER[_step_level(request, step, named) + 1:]:
        people = _eligible(request, list(db.session.scalars(
            select(User).where(User.role == role, User.active).order_by(User.id))))
        if len(people) >= needed:
            return people
    return []


def escalation_note(request: ApprovalRequest) -> str | None:
    """"因申请人回避,由 X 审批" when the current step went up a level (shown on the document)."""
    step = request.step
    if step is None or request.status != PENDING:
        return None
    named = named_deciders(request, step)
    deciders = with_fallback(request, step, named)
    if deciders == named:
        return None
    names = "、".join(u.name for u in deciders if u not in named and u.id not in _excluded(request))
    if any(u.id in _excluded(request) for u in named):
        return str(_l("因申请人回避，由 %(names)s 审批", names=names))
    return str(_l("原审批人不在岗，由 %(names)s 审批", names=names))


def _excluded(request: ApprovalRequest) -> set[int]:
    return {request.submitter_id, *request.preparer_ids}


def _step_approvals(request: ApprovalRequest) -> list[ApprovalDecision]:
    return [d for d in request.decisions
            if d.round == request.round and d.step_index == request.current_step and d.action == "approve"]


def active_delegations_to(user: User) -> list[Delegation]:
    today = today_local()
    return list(db.session.scalars(select(Delegation).where(
        Delegation.delegate_id == user.id, Delegation.cancelled.is_(False),
        Delegation.starts_on <= today, Delegation.ends_on >= today)))


def capacity(user: User, request: ApprovalRequest, delegations: list[Delegation] | None = None,
             deciders: list[User] | None = None) -> User | None:
    """Whom `user` would decide for on the current step: themselves, a delegator, or None.

    Returns the principal (the user themselves when deciding in their own right).
    """
    step = request.step
    if step is None or user.id in _excluded(request):
        return None
    already = {d.decider_id for d in _step_approvals(request)} | {
        d.on_behalf_of_id for d in _step_approvals(request) if d.on_behalf_of_id}
    if user.id in already:
        return None
    names = {u.id: u for u in (deciders if deciders is not None else step_deciders(request, step))}
    if user.id in names:
        return user
    for delegation in delegations if delegations is not None else active_delegations_to(user):
        principal = names.get(delegation.delegator_id)
        if principal and principal.id not in _excluded(request) and principal.id not in already:
            return principal
    return None


# ---- lifecycle -----------------------------------------------------------------

def request_for(doc_type: str, doc_id: int) -> ApprovalRequest | None:
    return db.session.scalar(select(ApprovalRequest).where(
        ApprovalRequest.doc_type == doc_type, ApprovalRequest.doc_id == doc_id))


def stored_title(adapter, doc) -> str:
    """A request's title as stored: in the company's language whoever submits (shown translated)."""
    with force_locale("zh_CN"):
        return adapter.title(doc)


def submit(actor, doc_type: str, doc) -> ApprovalRequest:
    """First submission or resubmission after a return/withdrawal."""
    adapter = adapter_for(doc_type)
    if adapter.owner(doc).id != actor.id:
        raise Forbidden(_l("只能提交自己的单据"))
    request = _locked(request_for(doc_type, doc.id))
    now = now_utc()
    if request is None:
        amount = adapter.amount(doc)
        steps = adapter.adjust_steps(_applicable(route_steps(doc_type), amount), doc)
        if not steps:
            raise DomainError(_l("该单据类型没有配置审批流程"))
        request = ApprovalRequest(doc_type=doc_type, doc_id=doc.id, submitter_id=actor.id, steps=steps,
                                  amount=amount, title=stored_title(adapter, doc), submitted_at=now)
        request.submitter = actor
        db.session.add(request)
    elif request.status in (RETURNED, WITHDRAWN):
        request.round += 1
        request.title, request.amount = stored_title(adapter, doc), adapter.amount(doc)
        request.status, request.current_step, request.finished_at = PENDING, 0, None
        request.version += 1
    else:
        raise DomainError(_l("该单据已提交，不能重复提交"))
    request.preparer_ids = sorted(set(adapter.preparers(doc)) - {actor.id})
    request.step_started_at = now
    db.session.flush()
    _log(request, actor, None, "submit", "")
    adapter.on_submitted(doc, actor)
    _announce_step(request)
    return request


def decide(actor, request_id: int, action: str, comment: str = "", *, step_index: int | None = None,
           round_: int | None = None) -> ApprovalRequest:
    """Approve, reject or return the current step. `step_index`/`round_` are what the decider saw."""
    _check_action(action, comment)
    request = _locked(db.session.get(ApprovalRequest, request_id))
    if request is None:
        raise DomainError(NOT_FOUND)
    return _decide_locked(actor, request, action, comment.strip(), step_index, round_)


def _check_action(action: str, comment: str) -> None:
    if action not in ACTIONS:
        raise DomainError(_l("未知的审批操作"))
    if action in ("reject", "return") and not (comment or "").strip():
        raise DomainError(_l("驳回或退回时必须填写意见"), field="comment")


def _decide_locked(actor, request, action, comment, step_index, round_, deciders=None) -> ApprovalRequest:
    principal = _authorize(actor, request, step_index, round_, deciders)
    _apply(actor, request, principal, action, comment, document(request))
    db.session.flush()
    return request


def _authorize(actor, request, step_index, round_, deciders=None, delegations=None) -> User:
    """Still open, and the actor may decide it (for whom). Raises before anything is written."""
    _check_still_open(request, step_index, round_)
    principal = capacity(actor, request, delegations, deciders)
    if principal is None:
        raise Forbidden(_four_eyes_message(actor, request))
    return principal


def _apply(actor, request, principal, action, comment, doc, batch: _Batch | None = None) -> None:
    on_behalf = principal if principal.id != actor.id else None
    adapter = adapter_for(request.doc_type)
    step = request.step
    _log(request, actor, on_behalf, action, comment)
    request.version += 1
    if action == "approve":
        if len(_step_approvals(request)) < step.get("reviewers", 1):
            _close_todos(request, batch, principal)  # this reviewer is done; the second one is not
            return  # a two-reviewer step waits for its second, different person
        _advance(request, actor, adapter, doc, batch)
    elif action == "reject":
        _close_todos(request, batch)
        _finish(request, REJECTED)
        adapter.on_rejected(doc, actor, comment)
        _tell_submitter(request, _l("已被驳回"), comment, batch)
    else:
        _close_todos(request, batch)
        request.status = RETURNED
        adapter.on_returned(doc, actor, comment)
        _tell_submitter(request, _l("已退回修改"), comment, batch)


def withdraw(actor, request_id: int) -> ApprovalRequest:
    request = _locked(db.session.get(ApprovalRequest, request_id))
    if request is None or request.submitter_id != actor.id:
        raise Forbidden(_l("只能撤回自己提交的单据"))
    if request.status != PENDING:
        raise AlreadyDecided(_l("该单据已有结果，不能撤回"))
    if any(d.round == request.round and d.action != "submit" for d in request.decisions):
        raise DomainError(_l("已有人审批，不能撤回"))
    _log(request, actor, None, "withdraw", "")
    _close_todos(request)
    request.status = WITHDRAWN
    request.version += 1
    adapter_for(request.doc_type).on_withdrawn(document(request), actor)
    db.session.flush()
    return request


def bulk_decide(actor, request_ids: list[int], action: str, comment: str = "",
                seen: dict[int, object] | None = None) -> dict[int, str | None]:
    """Decide many at once; returns {id: None on success, or the reason it was not decided}.

    All rows are locked in one query and checked first (decided meanwhile, four eyes, not theirs):
    those are reported and left alone. The rest are decided together and written in one flush, with
    their notifications batched, so the query count does not grow with the number of items.
    If a document's own hook refuses (say a ledger rule), the batch is undone, that item reported,
    and the others decided again without it.
    `seen` maps id → the step index the user saw (or a (step index, round) pair), so a step that
    moved on is reported, not decided.
    """
    _check_action(action, comment)
    comment = comment.strip()
    results: dict[int, str | None] = {}
    todo = sorted(set(request_ids))
    while todo:
        locked = _lock_many(todo)
        batch = _Batch.for_requests(locked.values())
        delegations = active_delegations_to(actor)
        chosen: list[tuple[ApprovalRequest, User]] = []
        for request_id in todo:
            request = locked.get(request_id)
            if request is None or not can_view(actor, request, batch.deciders(request), delegations):
                results[request_id] = str(NOT_FOUND)  # never reveal what the actor may not see
                continue
            seen_step, seen_round = _seen((seen or {}).get(request_id))
            try:
                principal = _authorize(actor, request, seen_step, seen_round, batch.deciders(request),
                                       delegations)
            except DomainError as exc:
                results[request_id] = str(exc.message)
                continue
            chosen.append((request, principal))
        docs = _load_documents([r for r, _p in chosen])
        current = None
        try:
            with db.session.begin_nested():
                for request, principal in chosen:
                    current = request.id
                    _apply(actor, request, principal, action, comment, docs[request.id], batch)
                current = None
                batch.send()
                db.session.flush()
        except DomainError as exc:
            if current is None:
                raise
            results[current] = str(exc.message)
            todo = [i for i in todo if i not in results]
            continue
        results.update({r.id: None for r, _p in chosen})
        break
    return results


def _lock_many(ids: list[int]) -> dict[int, ApprovalRequest]:
    # Locked in id order (after the audit chain), so overlapping bulk decisions queue up.
    audit.lock()
    return {r.id: r for r in db.session.scalars(
        select(ApprovalRequest).where(ApprovalRequest.id.in_(ids)).order_by(ApprovalRequest.id)
        .options(selectinload(ApprovalRequest.decisions),
                 selectinload(ApprovalRequest.submitter).selectinload(User.reports_to).selectinload(User.reports_to))
        .with_for_update(of=ApprovalRequest).execution_options(populate_existing=True))}


def _load_documents(requests: list[ApprovalRequest]) -> dict[int, object]:
    """Each type's documents in one go (Adapter.load_many)."""
    by_type: dict[str, list[ApprovalRequest]] = {}
    for request in requests:
        by_type.setdefault(request.doc_type, []).append(request)
    docs = {}
    for doc_type, group in by_type.items():
        loaded = adapter_for(doc_type).load_many([r.doc_id for r in group])
        docs.update({r.id: loaded[r.doc_id] for r in group})
    return docs


def _seen(value) -> tuple[int | None, int | None]:
    if isinstance(value, tuple | list):
        return value[0], value[1]
    return value, None


def bulk_summary(results: dict[int, str | None]) -> str:
    """"3 项已通过，1 项已被他人处理" — successes, then each failure reason with its count."""
    ok = sum(1 for r in results.values() if r is None)
    parts = [str(_l("%(n)d 项已通过", n=ok))]
    reasons: dict[str, int] = {}
    for reason in results.values():
        if reason is not None:
            reasons[reason] = reasons.get(reason, 0) + 1
    parts += [str(_l("%(n)d 项%(reason)s", n=n, reason=reason)) for reason, n in reasons.items()]
    return str(_l("，")).join(parts)  # the list separator of the language shown


def _deciders_by_role(requests) -> dict[str, list[User]]:
    roles = {s["role"] for r in requests if (s := r.step) and s["approver_kind"] == ROLE}
    if not roles:
        return {}
    people = db.session.scalars(select(User).where(User.role.in_(roles), User.active)).all()
    return {role: [u for u in people if u.role == role] for role in roles}


# ---- queries --------------------------------------------------------------------

def inbox(user: User) -> list[ApprovalRequest]:
    """Everything waiting for `user` (directly or by delegation), newest first. Constant query count."""
    return list(inbox_principals(user))


# ---- the inbox's pre-filter ------------------------------------------------------
# A department has hundreds of requests pending, and evaluating one (named_deciders, with_fallback,
# capacity) needs it loaded with its decisions and its submitter's line. Most cannot concern a given
# reader, and that shows from plain columns: the inbox first picks, from one row per user and one per
# pending request, the requests whose current step could name the reader or could go up the ladder to
# them, and loads and evaluates only those. The test below is a superset of capacity(): it never drops
# a request the full evaluation would keep (tests/approvals/test_inbox_queries.py compares both).


class _Person(NamedTuple):
    id: int
    role: str
    boss: int | None  # reports_to_id
    active: bool


@dataclass
class _Staff:
    """Everyone's (id, role, reports_to_id, active), from one statement."""

    people: dict[int, _Person]
    active_by_role: dict[str, list[int]]

    @classmethod
    def load(cls) -> _Staff:
        people = {p.id: p for p in (_Person(*row) for row in db.session.execute(
            select(User.id, User.role, User.reports_to_id, User.active)))}
        active_by_role: dict[str, list[int]] = {}
        for p in people.values():
            if p.active:
                active_by_role.setdefault(p.role, []).append(p.id)
        return cls(people, active_by_role)

    def boss_of(self, user_id: int | None) -> int | None:
        person = self.people.get(user_id) if user_id is not None else None
        return person.boss if person else None

    def line_of(self, user_id: int) -> set[int]:
        """_line_of from the plain rows: boss, boss's boss, … (active or not)."""
        ids, boss = set(), self.boss_of(user_id)
        while boss is not None and boss not in ids:
            ids.add(boss)
            boss = self.boss_of(boss)
        return ids

    def active(self, user_id: int | None) -> list[int]:
        person = self.people.get(user_id) if user_id is not None else None
        return [person.id] if person and person.active else []

    def named(self, step: dict, submitter_id: int) -> list[int]:
        """named_deciders from the plain rows: the ids of the active people the step names."""
        if step.get("assigned_to"):
            return self.active(step["assigned_to"])
        if step["approver_kind"] == LINE_MANAGER:
            return self.active(self.boss_of(submitter_id))
        if step["approver_kind"] == SECOND_LINE:
            return self.active(self.boss_of(self.boss_of(submitter_id)))
        role = step.get("role")
        if role not in APPROVER_ROLES:
            return []
        holders = self.active_by_role.get(role, [])
        if role in LINE_ROLES:
            line = self.line_of(submitter_id)
            return [i for i in holders if i in line]
        return holders


class _Pending(NamedTuple):
    id: int
    step: dict
    submitter_id: int
    preparer_ids: list


def _could_name(user, step: dict, submitter_id: int, staff: _Staff) -> bool:
    """Whether a step could name `user` (named_deciders before its checks): a cheap superset test."""
    if step.get("assigned_to"):
        return step["assigned_to"] == user.id
    if step["approver_kind"] == ROLE:
        return step.get("role") == user.role
    boss = staff.boss_of(submitter_id)
    return user.id == (boss if step["approver_kind"] == LINE_MANAGER else staff.boss_of(boss))


def _could_escalate_to(user, request: _Pending, staff: _Staff) -> bool:
    """Whether with_fallback could add `user` to the step's deciders (a superset test).

    with_fallback goes up only when the eligible named (named − submitter − preparers − those who
    approved this step already) are fewer than the approvals still needed (reviewers − approvals so
    far). Each approval removes at most one eligible person and one needed approval, so that can only
    happen if the named minus submitter and preparers are fewer than `reviewers`: decisions need not be
    read. escalated_to then takes people of one role strictly above the step's level (_step_level)."""
    step = request.step
    named = staff.named(step, request.submitter_id)
    excluded = {request.submitter_id, *request.preparer_ids}
    if len([i for i in named if i not in excluded]) >= step.get("reviewers", 1):
        return False
    first_role = staff.people[named[0]].role if named else None
    level = _level(step, first_role, staff.people[request.submitter_id].role)
    return user.role in ESCALATION_LADDER[level + 1:]


def _candidates(user: User, delegations: list[Delegation]) -> list[int]:
    """The pending requests whose current step could name, or go up to, `user` or someone who delegated
    to them: the only ones capacity() can find in the inbox. Two statements, whatever the data."""
    staff = _Staff.load()
    principals = [user, *(staff.people[d.delegator_id] for d in delegations)]
    rows = db.session.execute(select(ApprovalRequest.id, ApprovalRequest.steps, ApprovalRequest.current_step,
                                     ApprovalRequest.submitter_id, ApprovalRequest.preparer_ids)
                              .where(ApprovalRequest.status == PENDING))
    pending = [_Pending(i, steps[current], submitter, preparers or [])
               for i, steps, current, submitter, preparers in rows if current < len(steps)]
    return [r.id for r in pending
            if any(_could_name(p, r.step, r.submitter_id, staff) or _could_escalate_to(p, r, staff)
                   for p in principals)]


def inbox_principals(user: User) -> dict[ApprovalRequest, User]:
    """The inbox with, for each request, whom `user` decides for (so the page asks no more per row)."""
    delegations = active_delegations_to(user)
    pending = list(db.session.scalars(
        select(ApprovalRequest).where(ApprovalRequest.status == PENDING,
                                      ApprovalRequest.id.in_(_candidates(user, delegations)))
        .options(selectinload(ApprovalRequest.decisions),
                 selectinload(ApprovalRequest.submitter).selectinload(User.reports_to).selectinload(User.reports_to))
        .order_by(ApprovalRequest.step_started_at.desc(), ApprovalRequest.id.desc())))
    by_role = _deciders_by_role(pending)
    mine: dict[ApprovalRequest, User] = {}
    for request in pending:
        step = request.step
        by_role_step = step["approver_kind"] == ROLE and not step.get("assigned_to")
        deciders = (with_fallback(request, step, scoped(step, request.submitter, by_role[step["role"]]))
                    if by_role_step
                    else step_deciders(request, step))
        principal = capacity(user, request, delegations, deciders)
        if principal is not None:
            mine[request] = principal
    return mine


def submissions(user: User):
    """我的申请, newest first: a statement, so the page shows one page of it."""
    return (select(ApprovalRequest).where(ApprovalRequest.submitter_id == user.id)
            .options(selectinload(ApprovalRequest.decisions))
            .order_by(ApprovalRequest.submitted_at.desc(), ApprovalRequest.id.desc()))


def holders(request: ApprovalRequest, deciders: list[User] | None = None) -> list[User]:
    """Who holds the document now (for "my submissions")."""
    step = request.step
    if step is None:
        return []
    excluded = _excluded(request)
    done = {d.decider_id for d in _step_approvals(request)}
    people = deciders if deciders is not None else step_deciders(request, step)
    return [u for u in people if u.id not in excluded and u.id not in done]


def requests_held_by(user: User) -> list[ApprovalRequest]:
    """Pending requests whose current step waits for `user` (before a change to that person)."""
    pending = db.session.scalars(select(ApprovalRequest).where(ApprovalRequest.status == PENDING)
                                 .order_by(ApprovalRequest.id))
    return [r for r in pending if any(u.id == user.id for u in holders(r))]


def reroute(actor, requests: list[ApprovalRequest], former: User) -> None:
    """`former` can no longer decide (deactivated, new role): the steps they held go to whoever holds
    them now — the next level up if nobody else — with a to-do and a note in the audit trail."""
    for request in requests:
        notify.close_todos(todo_prefixes(request, former))
        _announce_step(request)
        now_held = holders(request)
        audit.record(actor, "approval.reroute", request, after={
            "step": request.step["name"], "former": former.username, "holders": [u.username for u in now_held],
            "note": escalation_note(request) or ""})


# ---- the manager's view of stuck documents ------------------------------------------------

REASSIGNERS = ("manager", "director")


@dataclass
class Stuck:
    request: ApprovalRequest
    holders: list[User]
    waited: timedelta


def stuck(actor, now: datetime | None = None) -> list[Stuck]:
    """Documents waiting longer than the escalation time, and any step nobody holds (should be none)."""
    from . import settings

    if actor.role not in REASSIGNERS:
        raise Forbidden(_l("只有销售经理或销售总监可以查看"))
    now = now or now_utc()
    limit = timedelta(hours=settings.get("approval_escalate_hours"))
    rows = []
    for request in db.session.scalars(select(ApprovalRequest).where(ApprovalRequest.status == PENDING)
                                      .order_by(ApprovalRequest.step_started_at)):
        waited = now - _aware(request.step_started_at)
        people = holders(request)
        if waited >= limit or not people:
            rows.append(Stuck(request, people, waited))
    return rows


def reassignable(request: ApprovalRequest) -> list[User]:
    """Who may take over the current step: active people of supervisor rank and up, four eyes kept."""
    people = db.session.scalars(select(User).where(User.active, User.role.in_(ESCALATION_LADDER))
                                .order_by(User.name))
    return _eligible(request, list(people))


def reassign(actor, request_id: int, user: User, comment: str = "") -> ApprovalRequest:
    """Hand the current step to one named person (audited); their to-do replaces the others'."""
    if actor.role not in REASSIGNERS:
        raise Forbidden(_l("只有销售经理或销售总监可以改派审批人"))
    request = _locked(db.session.get(ApprovalRequest, request_id))
    if request is None:
        raise DomainError(NOT_FOUND)
    _check_still_open(request, None, None)
    if user not in reassignable(request):
        raise DomainError(_l("请选择一位可以审批该单据的在职人员（不能是申请人或经办人）"), field="user")
    before = [u.username for u in holders(request)]
    notify.close_todos(todo_prefixes(request))
    steps = [dict(s) for s in request.steps]
    steps[request.current_step]["assigned_to"] = user.id
    request.steps = steps  # a new list: the JSON column sees the change
    request.version += 1
    db.session.flush()
    _announce_step(request)
    audit.record(actor, "approval.reassign", request, before={"holders": before}, after={
        "step": request.step["name"], "holders": [user.username], "comment": (comment or "").strip()[:200]})
    return request


def reassign_on_handover(actor, request: ApprovalRequest, leaver: User, successor: User) -> None:
    """A leaver's waiting step to their named successor (part of people.deactivate_with_handover)."""
    request = _locked(request)
    if request.status != PENDING:
        return
    notify.close_todos(todo_prefixes(request, leaver))
    steps = [dict(s) for s in request.steps]
    steps[request.current_step]["assigned_to"] = successor.id
    request.steps = steps
    request.version += 1
    db.session.flush()
    _announce_step(request)
    audit.record(actor, "approval.reassign", request, before={"holders": [leaver.username]}, after={
        "step": request.step["name"], "holders": [successor.username], "comment": "handover"})


def step_states(request: ApprovalRequest) -> list[dict]:
    """The route snapshot with each step's state in the current round (for the history partial).

    state: "done" (approved), "current" (waiting), the request's outcome on the step where it
    ended (rejected / returned / withdrawn), or "waiting" (not reached yet).
    """
    rows = []
    for i, step in enumerate(request.steps):
        decisions = [d for d in request.decisions
                     if d.round == request.round and d.step_index == i and d.action not in ("submit",)]
        if request.status == APPROVED or i < request.current_step:
            state = "done"
        elif i == request.current_step:
            state = "current" if request.status == PENDING else request.status
        else:
            state = "waiting"
        rows.append({"index": i, "step": step, "state": state, "decisions": decisions,
                     "kind_label": KIND_LABELS.get(step["approver_kind"], step["approver_kind"]),
                     "holders": holders(request) if state == "current" else [],
                     "note": escalation_note(request) if state == "current" else None})
    return rows


def can_withdraw(request: ApprovalRequest) -> bool:
    """Pending and nobody has decided anything in this round yet."""
    return request.status == PENDING and not any(
        d.round == request.round and d.action != "submit" for d in request.decisions)


def _named_on_route(user: User, request: ApprovalRequest) -> bool:
    boss = request.submitter.reports_to
    for step in request.steps:
        kind = step["approver_kind"]
        if kind == ROLE and user.role == step.get("role") and scoped(step, request.submitter, [user]):
            return True
        if kind == LINE_MANAGER and boss is not None and boss.id == user.id:
            return True
        if kind == SECOND_LINE and boss is not None and boss.reports_to_id == user.id:
            return True
    return False


def can_view(user: User, request: ApprovalRequest, deciders: list[User] | None = None,
             delegations: list[Delegation] | None = None) -> bool:
    """Submitter, anyone who decided it or is named on its route, anyone who may decide it now
    (delegates included), and the department's leadership. (`deciders`/`delegations`: preloaded.)"""
    if user.role in ("manager", "director", "gm", "assistant"):
        return True
    if user.id == request.submitter_id or any(d.decider_id == user.id for d in request.decisions):
        return True
    if user.id in request.preparer_ids or _named_on_route(user, request):
        return True
    if user.role == "supervisor" and request.submitter.reports_to_id == user.id:
        return True
    if user.role == "finance" and request.doc_type in FINANCE_TYPES:
        return True
    return capacity(user, request, delegations, deciders) is not None


# Document types whose money finance may see (the money workflows add theirs).
FINANCE_TYPES: set[str] = set()


def decision_label(d: ApprovalDecision) -> str:
    """"代 A 审批 (by B)" when decided through a delegation."""
    if d.on_behalf_of is not None:
        return str(_l("%(principal)s（由 %(delegate)s 代审批）", principal=d.on_behalf_of.name, delegate=d.decider.name))
    return d.decider.name


# ---- delegation --------------------------------------------------------------------

def delegate(actor, delegate_user: User, starts_on, ends_on, note: str = "") -> Delegation:
    from ..models import ROLE_RANK

    if delegate_user.id == actor.id:
        raise DomainError(_l("不能委托给自己"), field="delegate")
    if ROLE_RANK[delegate_user.role] < ROLE_RANK[actor.role] or not delegate_user.active:
        raise DomainError(_l("只能委托给同级或更高职级的在职同事"), field="delegate")
    if ends_on < starts_on:
        raise DomainError(_l("结束日期不能早于开始日期"), field="ends_on")
    item = Delegation(delegator_id=actor.id, delegate_id=delegate_user.id, starts_on=starts_on, ends_on=ends_on,
                      note=note)
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "approval.delegate", item, after={"delegate": delegate_user.username,
                                                           "from": str(starts_on), "to": str(ends_on)})
    return item


def cancel_delegation(actor, item: Delegation) -> None:
    if item.delegator_id != actor.id:
        raise Forbidden(_l("只能取消自己的委托"))
    item.cancelled = True
    db.session.flush()
    audit.record(actor, "approval.delegate.cancel", item)


# ---- overdue reminders ------------------------------------------------------------------

def remind_overdue(now: datetime | None = None) -> int:
    """Remind the holders of steps waiting longer than `approval_remind_hours` (level 1), then their
    line managers after `approval_escalate_hours` (level 2). Each level happens once per request,
    round and step: an ApprovalReminder row (unique) is written first, so reruns do nothing.
    Returns how many reminder rows were written.
    """
    from ..models import ApprovalReminder
    from . import settings

    now = now or now_utc()
    remind_after = timedelta(hours=settings.get("approval_remind_hours"))
    escalate_after = timedelta(hours=settings.get("approval_escalate_hours"))
    overdue = list(db.session.scalars(
        select(ApprovalRequest).where(ApprovalRequest.status == PENDING,
                                      ApprovalRequest.step_started_at <= now - remind_after)
        .options(selectinload(ApprovalRequest.decisions),
                 selectinload(ApprovalRequest.submitter).selectinload(User.reports_to))
        .order_by(ApprovalRequest.id)))
    if not overdue:
        return 0
    done = set(db.session.execute(
        select(ApprovalReminder.request_id, ApprovalReminder.round, ApprovalReminder.step_index,
               ApprovalReminder.level).where(ApprovalReminder.request_id.in_([r.id for r in overdue]))).all())
    written = 0
    for request in overdue:
        waited = now - _aware(request.step_started_at)
        levels = [1] + ([2] if waited >= escalate_after else [])
        for level in levels:
            if (request.id, request.round, request.current_step, level) in done:
                continue
            if _remind(request, level, waited):
                written += 1
    return written


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@notify.in_company_language
def _remind(request: ApprovalRequest, level: int, waited: timedelta) -> bool:
    """Write the occasion row (a concurrent run loses on the unique key), then tell the people."""
    from sqlalchemy.exc import IntegrityError

    from ..models import ApprovalReminder

    try:
        with db.session.begin_nested():
            db.session.add(ApprovalReminder(request_id=request.id, round=request.round,
                                            step_index=request.current_step, level=level))
    except IntegrityError:
        return False
    hours = int(waited.total_seconds() // 3600)
    step = request.step
    holders_now = holders(request)
    key = f"approval-remind:{request.id}:r{request.round}:s{request.current_step}:l{level}"
    if level == 1:
        subject = str(_l("审批超时提醒：%(title)s", title=request.title))
        body = str(_l("「%(title)s」（%(submitter)s 提交）在「%(step)s」已等待 %(hours)d 小时，请尽快审批。",
                      title=request.title, submitter=request.submitter.name, step=step["name"], hours=hours))
        for user in holders_now:
            notify.tell(f"{key}:u{user.id}", user, subject, body, _inbox_url())
            for delegation in _delegations_from(user):  # whoever decides for them this week
                notify.tell(f"{key}:u{user.id}:d{delegation.delegate_id}", delegation.delegate, subject, body,
                            _inbox_url())
    else:
        excluded = _excluded(request)
        bosses = {u.reports_to.id: u.reports_to for u in holders_now
                  if u.reports_to is not None and u.reports_to.active and u.reports_to.id not in excluded}
        waiting_on = "、".join(u.name for u in holders_now)
        subject = str(_l("审批超时升级：%(title)s", title=request.title))
        body = str(_l("「%(title)s」（%(submitter)s 提交）在「%(step)s」等待 %(people)s 审批已超过 %(hours)d 小时，"
                      "请督促处理。", title=request.title, submitter=request.submitter.name, step=step["name"],
                      people=waiting_on, hours=hours))
        for boss in bosses.values():
            notify.tell(f"{key}:u{boss.id}", boss, subject, body, _inbox_url())
    audit.record(None, "approval.remind", request, after={"level": level, "round": request.round,
                                                          "step": step["name"], "hours": hours})
    return True


# ---- internals -------------------------------------------------------------------

def _locked(request: ApprovalRequest | None) -> ApprovalRequest | None:
    """Re-read the request under a row lock (PostgreSQL); SQLite serialises writers anyway."""
    if request is None:
        return None
    audit.lock()  # lock order: audit chain first, like every other writer
    return db.session.scalar(
        select(ApprovalRequest).where(ApprovalRequest.id == request.id)
        .options(selectinload(ApprovalRequest.decisions))
        .with_for_update(of=ApprovalRequest).execution_options(populate_existing=True))


def _check_still_open(request: ApprovalRequest, step_index, round_) -> None:
    stale = (step_index is not None and step_index != request.current_step) or (
        round_ is not None and round_ != request.round)
    if request.status != PENDING or stale:
        raise AlreadyDecided(_l("已被他人处理"))


def _four_eyes_message(actor, request):
    if actor.id in _excluded(request):
        return _l("不能审批自己提交或经办的单据（双人复核）")
    if any(d.decider_id == actor.id for d in _step_approvals(request)):
        return _l("本步骤需要两位不同的复核人，您已审批过")
    return _l("您不是当前步骤的审批人")


def _log(request, actor, on_behalf, action, comment) -> None:
    """The decision row and its audit entry (written with the request's next flush, in order)."""
    step = request.step
    decision = ApprovalDecision(request=request, round=request.round, step_index=request.current_step,
                                step_name=step["name"] if step else "", action=action, decider_id=actor.id,
                                on_behalf_of_id=on_behalf.id if on_behalf else None, comment=comment)
    db.session.add(decision)
    audit.record(actor, f"approval.{action}", request, after={
        "doc": f"{request.doc_type}#{request.doc_id}", "step": decision.step_name, "round": request.round,
        "comment": comment, "on_behalf_of": on_behalf.username if on_behalf else None})


def _advance(request, actor, adapter, doc, batch=None) -> None:
    _close_todos(request, batch)
    request.current_step += 1
    request.step_started_at = now_utc()
    if request.current_step >= len(request.steps):
        _finish(request, APPROVED)
        adapter.on_approved(doc, actor)
        _tell_submitter(request, _l("已审批通过"), "", batch)
    else:
        _announce_step(request, batch)


def todo_prefixes(request: ApprovalRequest, principal: User | None = None) -> list[str]:
    """The keys of the to-dos the current step gave out (inbox items, reminders; delegates' too)."""
    step = f"{request.id}:r{request.round}:s{request.current_step}:"
    if principal is None:
        return [f"approval:{step}", f"approval-remind:{step}"]
    return [f"approval:{step}u{principal.id}"]  # also its ":d<delegate>" copies


def _close_todos(request: ApprovalRequest, batch: _Batch | None = None, principal: User | None = None) -> None:
    """The step was decided (or the document withdrawn): nobody is asked to act on it any more."""
    prefixes = todo_prefixes(request, principal)
    if batch is not None:
        batch.closings.extend(prefixes)
    else:
        notify.close_todos(prefixes)


def _finish(request, status) -> None:
    request.status, request.finished_at = status, now_utc()


def _inbox_url() -> str:
    try:
        return url_for("approvals.inbox")
    except RuntimeError:  # outside a request (jobs) there is no URL adapter: the blueprint's fixed path
        return "/approvals/"


@notify.in_company_language
def _announce_step(request: ApprovalRequest, batch: _Batch | None = None) -> None:
    """One email and one to-do per approver per step and round (and to their active delegates)."""
    step = request.step
    people = holders(request, batch.deciders(request) if batch else None)
    subject = str(_l("待审批：%(title)s", title=request.title))
    body = str(_l("%(submitter)s 提交的「%(title)s」等待您审批（%(step)s）。", submitter=request.submitter.name,
                  title=request.title, step=step["name"]))
    for user in people:
        key = f"approval:{request.id}:r{request.round}:s{request.current_step}:u{user.id}"
        _tell(batch, key, user, subject, body, _inbox_url())
        for delegation in batch.delegations_from(user) if batch else _delegations_from(user):
            _tell(batch, f"{key}:d{delegation.delegate_id}", delegation.delegate, subject, body, _inbox_url())


def _tell(batch: _Batch | None, key, user, subject, body, link="") -> None:
    if batch is None:
        notify.tell(key, user, subject[:200], body, link)
    else:
        batch.tells.append((key, user, subject[:200], body, link))


@dataclass
class _Batch:
    """A bulk decision's shared lookups and its collected notifications, written together."""

    role_people: dict[str, list[User]]
    delegations: dict[int, list[Delegation]]
    tells: list[tuple] = field(default_factory=list)
    closings: list[str] = field(default_factory=list)  # to-do key prefixes to mark done

    @classmethod
    def for_requests(cls, requests) -> _Batch:
        requests = list(requests)
        roles = {s["role"] for r in requests for s in r.steps if s["approver_kind"] == ROLE}
        people = db.session.scalars(select(User).where(User.role.in_(roles), User.active)).all() if roles else []
        today = today_local()
        delegations: dict[int, list[Delegation]] = {}
        for d in db.session.scalars(select(Delegation).options(selectinload(Delegation.delegate)).where(
                Delegation.cancelled.is_(False), Delegation.starts_on <= today, Delegation.ends_on >= today)):
            delegations.setdefault(d.delegator_id, []).append(d)
        return cls({role: [u for u in people if u.role == role] for role in roles}, delegations)

    def deciders(self, request: ApprovalRequest) -> list[User] | None:
        step = request.step
        if step is None:
            return None
        if step["approver_kind"] == ROLE and not step.get("assigned_to"):
            return with_fallback(request, step, scoped(step, request.submitter, self.role_people.get(step["role"], [])))
        return step_deciders(request, step)

    def delegations_from(self, user: User) -> list[Delegation]:
        return self.delegations.get(user.id, [])

    def send(self) -> None:
        """The to-dos and emails of the whole batch: two lookups, two inserts (notify's rules: one per key)."""
        from ..models import Email, Todo

        notify.close_todos(self.closings)  # one UPDATE for the whole batch
        self.closings.clear()
        if not self.tells:
            return
        keys = list({t[0] for t in self.tells})
        have_todo = set(db.session.scalars(select(Todo.key).where(Todo.key.in_(keys))))
        have_email = set(db.session.scalars(select(Email.key).where(Email.key.in_(keys))))
        emails, done = [], set()
        for key, user, subject, body, link in self.tells:
            if key in done:
                continue
            done.add(key)
            if key not in have_todo:
                db.session.add(Todo(key=key, user_id=user.id, text=subject, link=link))
            if key not in have_email and user.email:
                emails.append(Email(key=key, to_addr=user.email, subject=subject, body=body))
        db.session.add_all(emails)
        db.session.flush()
        # Same hand-over as notify.email(): enqueued by web.transaction.commit() after the commit.
        notify._after_commit_ids().extend(e.id for e in emails)
        self.tells.clear()


def _delegations_from(user: User) -> list[Delegation]:
    today = today_local()
    return list(db.session.scalars(select(Delegation).where(
        Delegation.delegator_id == user.id, Delegation.cancelled.is_(False),
        Delegation.starts_on <= today, Delegation.ends_on >= today)))


@notify.in_company_language
def _tell_submitter(request, outcome, comment: str, batch: _Batch | None = None) -> None:
    key = f"approval:{request.id}:r{request.round}:result:{request.status}"
    subject = str(_l("「%(title)s」%(outcome)s", title=request.title, outcome=outcome))
    body = subject + (f"\n{comment}" if comment else "")
    _tell(batch, key, request.submitter, subject, body, _mine_url())


def _mine_url() -> str:
    try:
        return url_for("approvals.mine")
    except RuntimeError:
        return "/approvals/mine"
