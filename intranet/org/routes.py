"""Thin views: parse the form, call a service, render the page or its fragment."""

from flask import flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select
from wtforms.fields.choices import SelectChoice

from ..extensions import db
from ..models import AuditEntry, Product, Region, Team, User
from ..models.people import ROLE_LABELS
from ..services import audit, catalog, customer_changes, org_units, people
from ..services import settings as settings_service
from ..services.errors import DomainError
from ..web.excel import send_workbook, workbook
from ..web.form_errors import attach_error as _field_error
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import HandoverForm, ProductForm, RegionForm, ResetPasswordForm, TeamForm, UserForm

AUDIT_READERS = ("manager", "director", "gm", "assistant")


# ---- people ---------------------------------------------------------------

def _user_choices(form: UserForm) -> None:
    none = [SelectChoice(0, "—")]
    form.reports_to.choices = none + [SelectChoice(u.id, f"{u.name}（{ROLE_LABELS[u.role]}）")
                                      for u in db.session.scalars(select(User).where(User.active).order_by(User.id))]
    form.team.choices = none + [SelectChoice(t.id, t.name) for t in db.session.scalars(select(Team).order_by(Team.id))]
    form.region.choices = none + [SelectChoice(r.id, r.name)
                                  for r in db.session.scalars(select(Region).order_by(Region.id))]


def _org_fields(form: UserForm) -> dict:
    return {
        "name": form.name.data.strip(), "email": form.email.data.strip(), "role": form.role.data,
        "reports_to": db.session.get(User, form.reports_to.data) if form.reports_to.data else None,
        "team": db.session.get(Team, form.team.data) if form.team.data else None,
        "region": db.session.get(Region, form.region.data) if form.region.data else None,
    }


@bp.get("/users")
@role_required("manager")
def users():
    q = request.args.get("q", "").strip()
    stmt = select(User).options(db.joinedload(User.team), db.joinedload(User.region),
                                db.joinedload(User.reports_to)).order_by(User.id)
    if q:
        stmt = stmt.where(or_(User.name_matches(q), User.username.contains(q)))
    if request.args.get("format") == "xlsx":
        rows = [(u.username, u.name, str(ROLE_LABELS[u.role]), u.email, u.team.name if u.team else "",
                 u.region.name if u.region else "", u.reports_to.name if u.reports_to else "",
                 "在职" if u.active else "停用") for u in db.session.scalars(stmt)]
        return send_workbook(workbook("人员", ["用户名", "姓名", "角色", "邮箱", "团队", "区域", "直属上级", "状态"], rows),
                             "users.xlsx")
    return render("org/users.html", "list", page=paginate(stmt), q=q, role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
@role_required("manager")
def user_new():
    form = UserForm()
    _user_choices(form)
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors = [_l("新用户需要初始密码")]
        else:
            try:
                people.create_user(current_user, username=form.username.data.strip(),
                                   password=form.password.data, **_org_fields(form))
            except DomainError as exc:
                db.session.rollback()
                _field_error(form, exc)
            else:
                commit()
                flash(_l("已添加用户"), "success")
                return redirect(url_for("org.users"), 303)
    return render("org/user_form.html", "form", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required("manager")
def user_edit(user_id):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    _user_choices(form)
    if request.method == "GET":
        form.reports_to.data, form.team.data, form.region.data = (
            user.reports_to_id or 0, user.team_id or 0, user.region_id or 0)
    form.username.data = user.username  # the login name does not change
    if form.validate_on_submit():
        try:
            people.update_user(current_user, user, **_org_fields(form))
        except DomainError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            commit()
            flash(_l("已保存"), "success")
            return redirect(url_for("org.users"), 303)
    handover = people.handover_items(user) if user.active else None
    handover_form = HandoverForm()
    handover_form.successor.choices = [SelectChoice(0, "—")] + [SelectChoice(u.id, u.name)
                                                                for u in people.successors_for(user)]
    return render("org/user_form.html", "form", form=form, user=user, reset_form=ResetPasswordForm(),
                  handover=handover, handover_form=handover_form)


@bp.post("/users/<int:user_id>/active")
@role_required("manager")
def user_active(user_id):
    user = db.get_or_404(User, user_id)
    try:
        people.set_active(current_user, user, request.form.get("active") == "1")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        commit()
        flash(_l("已启用") if user.active else _l("已停用，该用户的所有登录已失效"), "success")
    return redirect(url_for("org.users"), 303)


@bp.post("/users/<int:user_id>/handover")
@role_required("manager")
def user_handover(user_id):
    user = db.get_or_404(User, user_id)
    form = HandoverForm()
    form.successor.choices = [SelectChoice(0, "—")] + [SelectChoice(u.id, u.name) for u in people.successors_for(user)]
    if form.validate_on_submit():
        successor = db.session.get(User, form.successor.data) if form.successor.data else None
        try:
            people.deactivate_with_handover(current_user, user, successor, form.override_reason.data or "")
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            commit()
            flash(_l("已完成交接并停用 %(name)s", name=user.name), "success")
            return redirect(url_for("org.users"), 303)
    else:
        flash(_l("请求无效"), "error")
    return redirect(url_for("org.user_edit", user_id=user.id), 303)


@bp.post("/users/<int:user_id>/password")
@role_required("manager")
def user_password(user_id):
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        people.reset_password(current_user, user, form.password.data)
        commit()
        flash(_l("密码已重置"), "success")
    else:
        flash(form.password.errors[0] if form.password.errors else _l("请求无效"), "error")
    return redirect(url_for("org.user_edit", user_id=user.id), 303)


# ---- teams and regions ----------------------------------------------------

def _supervisor_choices(form: TeamForm) -> None:
    form.supervisor.choices = [SelectChoice("", "—")] + [
        SelectChoice(u.id, u.name) for u in db.session.scalars(
            select(User).where(User.active, User.role == "supervisor").order_by(User.id))]


def _units_page(team_form=None, region_form=None):
    team_form = team_form or TeamForm(formdata=None)
    region_form = region_form or RegionForm(formdata=None)
    _supervisor_choices(team_form)
    members = dict(db.session.execute(select(User.team_id, func.count()).where(User.active).group_by(User.team_id)).all())
    in_region = dict(db.session.execute(
        select(User.region_id, func.count()).where(User.active).group_by(User.region_id)).all())
    teams = db.session.scalars(select(Team).options(db.joinedload(Team.supervisor)).order_by(Team.id)).all()
    regions = db.session.scalars(select(Region).order_by(Region.id)).all()
    return render("org/units.html", team_form=team_form, region_form=region_form, teams=teams, regions=regions,
                  members=members, in_region=in_region)


@bp.get("/teams")
@role_required(*org_units.MAINTAINERS)
def units():
    return _units_page()


def _save_unit(form, save, done_message, failed):
    if form.validate_on_submit():
        try:
            save()
        except DomainError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            commit()
            flash(done_message, "success")
            return redirect(url_for("org.units"), 303)
    return failed()


@bp.post("/teams/new")
@role_required(*org_units.MAINTAINERS)
def team_new():
    form = TeamForm()
    _supervisor_choices(form)
    return _save_unit(form, lambda: org_units.save_team(
        current_user, None, name=form.name.data, supervisor=db.session.get(User, form.supervisor.data or 0)),
        _l("已添加团队"), lambda: _units_page(team_form=form))


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@role_required(*org_units.MAINTAINERS)
def team_edit(team_id):
    team = db.get_or_404(Team, team_id)
    form = TeamForm(obj=team) if request.method == "GET" else TeamForm()
    _supervisor_choices(form)
    if request.method == "GET":
        form.supervisor.data = team.supervisor_id
    return _save_unit(form, lambda: org_units.save_team(
        current_user, team, name=form.name.data, supervisor=db.session.get(User, form.supervisor.data or 0)),
        _l("已保存"), lambda: render("org/unit_form.html", form=form, unit=team, kind="team"))


@bp.post("/regions/new")
@role_required(*org_units.MAINTAINERS)
def region_new():
    form = RegionForm()
    return _save_unit(form, lambda: org_units.save_region(current_user, None, name=form.name.data),
                      _l("已添加区域"), lambda: _units_page(region_form=form))


@bp.route("/regions/<int:region_id>", methods=["GET", "POST"])
@role_required(*org_units.MAINTAINERS)
def region_edit(region_id):
    region = db.get_or_404(Region, region_id)
    form = RegionForm(obj=region) if request.method == "GET" else RegionForm()
    return _save_unit(form, lambda: org_units.save_region(current_user, region, name=form.name.data),
                      _l("已保存"), lambda: render("org/unit_form.html", form=form, unit=region, kind="region"))


# ---- products -------------------------------------------------------------

@bp.get("/products")
@role_required("manager", "assistant", "supervisor", "director", "gm", "rep")
def products():
    q = request.args.get("q", "").strip()
    stmt = select(Product).order_by(Product.code)
    if q:
        stmt = stmt.where(or_(Product.name_matches(q), Product.code.contains(q), Product.spec.contains(q)))
    if request.args.get("format") == "xlsx":
        rows = [(p.code, p.name, p.spec, p.unit, p.list_price, "在售" if p.active else "停售")
                for p in db.session.scalars(stmt)]
        return send_workbook(workbook("产品目录", ["编码", "名称", "型号/规格", "单位", "标准价", "状态"], rows),
                             "products.xlsx")
    can_edit = current_user.role in catalog.MAINTAINERS
    return render("org/products.html", "list", page=paginate(stmt), q=q, can_edit=can_edit)


@bp.route("/products/new", methods=["GET", "POST"], defaults={"product_id": None})
@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@role_required(*catalog.MAINTAINERS)
def product_edit(product_id):
    product = db.get_or_404(Product, product_id) if product_id else None
    form = ProductForm(obj=product)
    if request.method == "GET" and product:
        form.list_price.data = f"{product.list_price:.2f}"
    if form.validate_on_submit():
        try:
            catalog.save_product(current_user, product, code=form.code.data.strip(), name=form.name.data.strip(),
                                 spec=(form.spec.data or "").strip(), unit=form.unit.data.strip(),
                                 list_price=form.list_price.amount, active=form.active.data)
        except DomainError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            waiting = product is not None and bool(customer_changes.pending_prices(product))
            commit()
            flash(_l("已保存；标准价变更待另一位同事复核后生效") if waiting else _l("已保存"), "success")
            return redirect(url_for("org.products"), 303)
    return render("org/product_form.html", "form", form=form, product=product)


# ---- settings -------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
@role_required("manager", "assistant")
def settings():
    from flask_wtf import FlaskForm

    form = FlaskForm()
    values = settings_service.raw_values()
    errors = {}
    if form.validate_on_submit():
        submitted = {d.key: request.form.get(d.key, "") for d in settings_service.DEFINITIONS}
        try:
            changed = settings_service.update(current_user, submitted)
        except DomainError as exc:
            db.session.rollback()
            errors, values = {k: e.message for k, e in exc.errors.items()}, submitted
        else:
            commit()
            flash(_l("已保存 %(n)d 项设置", n=len(changed)), "success")
            return redirect(url_for("org.settings"), 303)
    return render("org/settings.html", "form", form=form, definitions=settings_service.DEFINITIONS,
                  values=values, errors=errors)


# ---- audit ----------------------------------------------------------------

@bp.get("/audit")
@role_required(*AUDIT_READERS)
def audit_log():
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    action = request.args.get("action", "").strip()
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action))
    if request.args.get("format") == "xlsx":
        rows = [(e.id, e.at, e.actor_name, e.action, e.object_type, e.object_id, str(e.before or ""),
                 str(e.after or ""), e.hash) for e in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("操作日志", ["#", "时间", "操作人", "动作", "对象", "对象ID", "之前", "之后", "哈希"], rows),
                             "audit.xlsx")
    return render("org/audit.html", "list", page=paginate(stmt, per_page=50), action=action, broken=None,
                  verified=False)


@bp.post("/audit/verify")
@role_required(*AUDIT_READERS)
def audit_verify():
    broken = audit.verify()
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    return render("org/audit.html", "verify", page=paginate(stmt, per_page=50), action="", broken=broken,
                  verified=True)


@bp.app_template_global()
def role_label(role: str):
    return ROLE_LABELS.get(role, role)


