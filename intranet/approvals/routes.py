"""Thin views over the approval engine: parse, one service call, commit once, render a page or a fragment."""

from datetime import UTC, datetime

from flask import abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..clock import now_utc
from ..extensions import db, htmx
from ..models import ApprovalRequest, Delegation, User
from ..models.people import ROLE_LABELS, ROLE_RANK
from ..services import approvals as engine
from ..services.errors import AlreadyDecided, DomainError
from ..services.text_rules import whole_number
from ..web.clean_input import TOO_MANY_ROWS
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.pickers import pinyin_choices
from ..web.redirects import safe_next
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import DecisionForm, DelegationForm, ReassignForm, RouteForm

DECIDER_ROLES = ("supervisor", "manager", "director", "gm", "assistant", "finance")
ROUTE_EDITORS = ("manager", "director")
DONE_MESSAGES = {"approve": _l("已通过"), "return": _l("已退回修改"), "reject": _l("已驳回")}


def _safe_next(value: str | None, default: str) -> str:
    """Only local paths on one line: never another host, never a header break."""
    return safe_next(value, default)


def _visible_or_404(request_id: int) -> ApprovalRequest:
    req = db.session.get(ApprovalRequest, request_id)
    if req is None or not engine.can_view(current_user, req):
        abort(404)
    return req


@bp.app_template_filter("age")
def age(value: datetime | None) -> str:
    """How long something has been waiting: 5 分钟 / 3 小时 / 2 天 4 小时."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    minutes = max(0, int((now_utc() - value).total_seconds() // 60))
    if minutes < 60:
        return str(_l("%(n)d 分钟", n=minutes))
    hours = minutes // 60
    if hours < 24:
        return str(_l("%(n)d 小时", n=hours))
    return str(_l("%(d)d 天 %(h)d 小时", d=hours // 24, h=hours % 24))


# ---- inbox ------------------------------------------------------------------------

def _inbox_page(status: int = 200, **ctx):
    principals = engine.inbox_principals(current_user)
    items = list(principals)
    ctx.setdefault("principals", {r.id: p for r, p in principals.items()})
    ctx.setdefault("errors", {})
    ctx.setdefault("comments", {})
    return render("approvals/inbox.html", "list", oob=("badge",) if htmx else (), status=status, items=items,
                  count=len(items), oob_badge=True, **ctx)


@bp.get("/")
@login_required
def inbox():
    return _inbox_page()


@bp.post("/<int:request_id>/decide")
@login_required
def decide(request_id):
    req = _visible_or_404(request_id)
    form = DecisionForm()
    inbox_url = url_for("approvals.inbox")
    next_url = _safe_next(form.next.data, inbox_url)
    comment = (form.comment.data or "").strip()
    if not form.validate() and form.comment.errors:
        # e.g. a 10,000-character comment: say what is wrong with the comment, not "unknown action".
        return _decision_failed(req, DomainError(form.comment.errors[0], field="comment"), form, comment[:2000],
                                next_url)
    action = form.action.data if not form.errors else ""
    try:
        engine.decide(current_user, req.id, action, comment, step_index=form.step_index.data,
                      round_=form.round.data)
    except DomainError as exc:
        db.session.rollback()
        req = db.session.get(ApprovalRequest, request_id)
        return _decision_failed(req, exc, form, comment, next_url)
    commit()
    message = DONE_MESSAGES[action]
    if form.view.data == "form":
        if htmx:
            response = render("approvals/_decision_form.html", req=None)
            response.headers["HX-Redirect"] = next_url
            flash(message, "success")
            return response
        flash(message, "success")
        return redirect(next_url, 303)
    if htmx:
        count = len(engine.inbox(current_user))
        return render("approvals/inbox.html", "row", oob=("badge",), req=req, done=message, count=count,
                      oob_badge=True, errors={}, comments={})
    flash(_l("「%(title)s」%(outcome)s", title=req.title, outcome=message), "success")
    return redirect(next_url, 303)


def _decision_failed(req, exc: DomainError, form, comment: str, next_url: str):
    """A missing comment is shown next to the field (200); a decision that lost the race (409) shows the
    fresh state with "已被他人处理"; anything else the engine refused (409) likewise, with its reason."""
    field_error = exc.field == "comment"
    status = 200 if field_error else 409
    if form.view.data == "form":
        if htmx:
            return render("approvals/_decision_form.html", status=status, req=req, decision_error=exc.message,
                          decision_comment=comment, decision_next=next_url)
        flash(exc.message, "error")
        return redirect(next_url, 303)
    if htmx:
        count = len(engine.inbox(current_user))
        stale = None if field_error else exc.message
        return render("approvals/inbox.html", "row", oob=("badge",), status=status, req=req, done=None,
                      stale=stale, count=count, oob_badge=True, errors={req.id: exc.message} if field_error else {},
                      comments={req.id: comment})
    if field_error:
        return _inbox_page(errors={req.id: exc.message}, comments={req.id: comment})
    flash(_l("「%(title)s」%(reason)s", title=req.title, reason=exc.message), "error")
    return redirect(next_url, 303)


@bp.post("/bulk")
@login_required
def bulk():
    ids = [n for v in request.form.getlist("ids") if (n := whole_number(v)) is not None and n > 0]
    if not ids:
        return _bulk_answer(_l("请先勾选要批量通过的单据"), [], "error")
    seen = {}
    for request_id in ids:
        raw = request.form.get(f"seen-{request_id}", "")
        step, _sep, round_ = raw.partition(":")
        if whole_number(step) is not None and whole_number(round_) is not None:
            seen[request_id] = (whole_number(step), whole_number(round_))
    titles = dict(db.session.execute(select(ApprovalRequest.id, ApprovalRequest.title)
                                     .where(ApprovalRequest.id.in_(ids))).all())
    results = engine.bulk_decide(current_user, ids, "approve", seen=seen)
    commit()
    ok = sum(1 for r in results.values() if r is None)
    hidden = str(engine.NOT_FOUND)  # not the user's to see: no title either
    failures = [(f"#{i}" if reason == hidden else titles.get(i, f"#{i}"), reason)
                for i, reason in results.items() if reason is not None]
    summary = engine.bulk_summary(results)
    return _bulk_answer(summary, failures, "success" if not failures else "warning", ok=ok)


def _bulk_answer(summary, failures, category, ok=0):
    if htmx:
        return _inbox_page(bulk_summary=summary, bulk_failures=failures, bulk_category=category)
    flash(summary, category)
    for title, reason in failures:
        flash(_l("「%(title)s」：%(reason)s", title=title, reason=reason), "error")
    return redirect(url_for("approvals.inbox"), 303)


# ---- detail drawer ------------------------------------------------------------------

@bp.get("/<int:request_id>")
@login_required
def detail(request_id):
    req = _visible_or_404(request_id)
    adapter = engine.ADAPTERS.get(req.doc_type)
    doc = engine.document_or_none(req)
    summary = adapter.summary(doc) if adapter and doc is not None else []
    doc_url = adapter.url(doc) if adapter and doc is not None else ""
    return render("approvals/detail.html", "drawer", req=req, summary=summary, doc_url=doc_url,
                  decision_next=url_for("approvals.inbox"))


# ---- my submissions ------------------------------------------------------------------

@bp.get("/mine")
@login_required
def mine():
    return render("approvals/mine.html", "list", page=paginate(engine.submissions(current_user)))


@bp.post("/<int:request_id>/withdraw")
@login_required
def withdraw(request_id):
    req = _visible_or_404(request_id)
    try:
        engine.withdraw(current_user, req.id)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        status = 409
    else:
        commit()
        flash(_l("已撤回「%(title)s」", title=req.title), "success")
        status = 200
    if htmx:
        return render("approvals/mine.html", "list", status=status, page=paginate(engine.submissions(current_user)),
                      oob_flash=True)
    return redirect(url_for("approvals.mine"), 303)


# ---- stuck documents (manager, director) ---------------------------------------------------

def _stuck_page(status: int = 200, errors: dict | None = None):
    rows = engine.stuck(current_user)
    forms = {}
    for row in rows:
        form = ReassignForm(formdata=None, prefix=f"r{row.request.id}")
        form.user.choices = _reassign_choices(row.request)
        forms[row.request.id] = form
    return render("approvals/stuck.html", status=status, rows=rows, forms=forms, errors=errors or {})


def _reassign_choices(req) -> list:
    # An empty first option: the manager picks someone on purpose (and the required select validates).
    return [SelectChoice("", _l("请选择")), *pinyin_choices(engine.reassignable(req))]


@bp.get("/stuck")
@role_required(*engine.REASSIGNERS)
def stuck():
    return _stuck_page()


@bp.post("/<int:request_id>/reassign")
@role_required(*engine.REASSIGNERS)
def reassign(request_id):
    req = _visible_or_404(request_id)
    form = ReassignForm(prefix=f"r{req.id}")
    form.user.choices = _reassign_choices(req)
    if not form.validate_on_submit():
        return _stuck_page(200, {req.id: next(iter(form.errors.values()))[0]})
    try:
        engine.reassign(current_user, req.id, db.session.get(User, form.user.data), form.comment.data or "")
    except DomainError as exc:
        db.session.rollback()
        return _stuck_page(409 if isinstance(exc, AlreadyDecided) else 200, {req.id: str(exc.message)})
    commit()
    flash(_l("已改派「%(title)s」", title=req.title), "success")
    return redirect(url_for("approvals.stuck"), 303)


# ---- routes as data ----------------------------------------------------------------------

@bp.get("/routes")
@role_required(*ROUTE_EDITORS)
def routes():
    types = sorted(engine.ADAPTERS.values(), key=lambda a: str(a.label))
    return render("approvals/routes.html", types=[(a, engine.route_steps(a.doc_type)) for a in types],
                  kind_labels=engine.KIND_LABELS, role_labels=ROLE_LABELS)


@bp.route("/routes/<doc_type>", methods=["GET", "POST"])
@role_required(*ROUTE_EDITORS)
def route_edit(doc_type):
    adapter = engine.ADAPTERS.get(doc_type) or abort(404)
    if request.method == "GET":
        form = RouteForm(formdata=None, data={"steps": [_step_form_data(s) for s in engine.route_steps(doc_type)]})
        return render("approvals/route_form.html", "form", form=form, adapter=adapter)
    form = RouteForm()
    op = request.form.get("op", "save")
    if op != "save":
        # Row editing (add / remove / up / down) re-renders the form; nothing is stored until 保存.
        rows, limit = _edit_rows(form, op), form.steps.max_entries
        form = RouteForm(formdata=None, data={"steps": rows[:limit]})
        if len(rows) > limit:
            form.form_errors.append(TOO_MANY_ROWS % {"n": limit})
        return render("approvals/route_form.html", "form", form=form, adapter=adapter)
    if form.validate_on_submit():
        try:
            engine.save_route(current_user, doc_type, [_step_from_form(f) for f in form.steps])
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            commit()
            flash(_l("「%(label)s」的审批流程已保存，之后提交的单据按新流程审批", label=adapter.label), "success")
            return redirect(url_for("approvals.routes"), 303)
    return render("approvals/route_form.html", "form", form=form, adapter=adapter)


def _step_form_data(step: dict) -> dict:
    return {"name": step["name"], "approver_kind": step["approver_kind"], "role": step.get("role") or "",
            "min_amount": step.get("min_amount") or "", "reviewers": step.get("reviewers", 1)}


def _step_from_form(entry) -> dict:
    sub = entry.form
    kind = sub.approver_kind.data
    return engine.step_dict(sub.name.data.strip(), kind, sub.role.data if kind == engine.ROLE else None,
                            sub.min_amount.amount, sub.reviewers.data)


def _edit_rows(form: RouteForm, op: str) -> list[dict]:
    rows = [{"name": f.form.name.data or "", "approver_kind": f.form.approver_kind.data,
             "role": f.form.role.data or "", "min_amount": f.form.min_amount.data or "",
             "reviewers": f.form.reviewers.data if f.form.reviewers.data in (1, 2) else 1} for f in form.steps]
    verb, _sep, index = op.partition(":")
    i = int(index) if index.isdecimal() else -1  # isdigit() would let "²" through to int()
    if verb == "add":
        rows.append({"name": "", "approver_kind": engine.ROLE, "role": "", "min_amount": "", "reviewers": 1})
    elif verb == "remove" and 0 <= i < len(rows) and len(rows) > 1:
        rows.pop(i)
    elif verb == "up" and 0 < i < len(rows):
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
    elif verb == "down" and 0 <= i < len(rows) - 1:
        rows[i], rows[i + 1] = rows[i + 1], rows[i]
    return rows


# ---- delegations ----------------------------------------------------------------------------

def _delegate_choices(form: DelegationForm) -> None:
    rank = ROLE_RANK[current_user.role]
    people = db.session.scalars(select(User).where(User.active, User.id != current_user.id).order_by(User.id))
    form.delegate.choices = [SelectChoice("", "—")] + pinyin_choices(
        (u for u in people if ROLE_RANK[u.role] >= rank), lambda u: f"{u.name}（{ROLE_LABELS[u.role]}）")


def _delegations_page(form: DelegationForm):
    given = db.session.scalars(select(Delegation).where(Delegation.delegator_id == current_user.id)
                               .order_by(Delegation.starts_on.desc(), Delegation.id.desc())).all()
    received = db.session.scalars(select(Delegation).where(Delegation.delegate_id == current_user.id,
                                                           Delegation.cancelled.is_(False))
                                  .order_by(Delegation.starts_on.desc())).all()
    return render("approvals/delegations.html", "form", form=form, given=given, received=received,
                  today=engine.today_local())


@bp.route("/delegations", methods=["GET", "POST"])
@role_required(*DECIDER_ROLES)
def delegations():
    form = DelegationForm()
    _delegate_choices(form)
    if form.validate_on_submit():
        try:
            engine.delegate(current_user, db.session.get(User, form.delegate.data), form.starts_on.data,
                            form.ends_on.data, (form.note.data or "").strip())
        except DomainError as exc:
            db.session.rollback()
            getattr(form, exc.field or "delegate").errors.append(exc.message)
        else:
            commit()
            flash(_l("已设置审批委托"), "success")
            return redirect(url_for("approvals.delegations"), 303)
    return _delegations_page(form)


@bp.post("/delegations/<int:delegation_id>/cancel")
@role_required(*DECIDER_ROLES)
def delegation_cancel(delegation_id):
    item = db.session.get(Delegation, delegation_id)
    if item is None or item.delegator_id != current_user.id:
        abort(404)
    engine.cancel_delegation(current_user, item)
    commit()
    flash(_l("已取消委托"), "success")
    return redirect(url_for("approvals.delegations"), 303)

