"""Login, logout, own password, language. Failed logins are throttled per account and address."""

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from ..clock import now_utc
from ..extensions import db, limiter
from ..models import User
from ..services import audit, people
from ..services.errors import DomainError
from ..web.redirects import safe_next
from ..web.rendering import render
from ..web.transaction import commit
from .forms import LanguageForm, LoginForm, PasswordForm

bp = Blueprint("auth", __name__)
DEMO_ACCOUNTS = ["director", "gm", "manager", "supervisor1", "supervisor2", "assistant", "finance",
                 "rep1", "rep2", "rep3", "rep4"]


def _login_key() -> str:
    return f"login:{request.remote_addr}:{(request.form.get('username') or '').strip().lower()}"


def _login_failed(response) -> bool:
    return request.method == "POST" and response.status_code != 303


def _locked_out(limit):
    form = LoginForm()
    form.username.errors = [_l("登录失败次数过多，该账号在本机已被锁定，请 10 分钟后再试")]
    return render("auth/login.html", form=form, demo_accounts=_demo_accounts(), status=429)


def _demo_accounts() -> list[str]:
    return DEMO_ACCOUNTS if current_app.config["DEMO_MODE"] else []


def _safe_next(target: str | None) -> str | None:
    return safe_next(target)


def desk_url(user) -> str:
    return url_for(f"{user.role}.desk")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_FAILURE_LIMIT"], key_func=_login_key, methods=["POST"],
               deduct_when=_login_failed, on_breach=_locked_out)
def login():
    if current_user.is_authenticated:
        return redirect(desk_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        name = form.username.data.strip()
        user = db.session.scalar(select(User).where(func.lower(User.username) == name.lower()))
        if user and user.active and user.check_password(form.password.data):
            session.clear()
            chosen = request.cookies.get("lang")
            if chosen in current_app.config["LANGUAGES"] and chosen != user.locale:
                user.locale = chosen  # the language picked on the login page outlives the login
            login_user(user, remember=form.remember.data)
            session.permanent = True
            session["login_at"] = now_utc().isoformat()
            audit.record(user, "auth.login", user)
            commit()
            return redirect(_safe_next(request.args.get("next")) or desk_url(user), 303)
        audit.record(None, "auth.login_failed", object_type="User", after={"username": name})
        commit()
        form.password.errors = [_l("用户名或密码不正确")]
    return render("auth/login.html", "form", form=form, demo_accounts=_demo_accounts())


@bp.post("/logout")
@login_required
def logout():
    # Logging out ends every session of this user (other browsers too).
    people.end_all_sessions(current_user)
    audit.record(current_user, "auth.logout", current_user)
    commit()
    logout_user()
    session.clear()
    flash(_l("您已退出登录"), "info")
    return redirect(url_for("auth.login"), 303)


def _password_key() -> str:
    return f"password:{current_user.get_id() if current_user.is_authenticated else request.remote_addr}"


def _password_locked_out(limit):
    form = PasswordForm()
    form.current.errors = [_l("当前密码输错次数过多，请 10 分钟后再试")]
    return render("auth/password.html", "form", form=form, status=429)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
# Guessing the current password of a session left open counts like failed logins (per account).
@limiter.limit(lambda: current_app.config["LOGIN_FAILURE_LIMIT"], key_func=_password_key, methods=["POST"],
               deduct_when=_login_failed, on_breach=_password_locked_out)
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            people.change_own_password(current_user, form.current.data, form.password.data)
        except DomainError as exc:
            getattr(form, exc.field or "current").errors = [exc.message]
        else:
            commit()
            # Keep this browser signed in with the new session version. The real object, not the
            # proxy: Flask-Login stores it in g, and a proxy pointing at itself recurses forever.
            login_user(current_user._get_current_object())
            flash(_l("密码已修改，其他设备上的登录已失效"), "success")
            return redirect(url_for("auth.change_password"), 303)
    return render("auth/password.html", "form", form=form)


@bp.post("/account/language")
def set_language():
    form = LanguageForm()
    target = _safe_next(request.form.get("next")) or url_for("auth.login")
    response = redirect(target, 303)
    if form.validate_on_submit():
        response.set_cookie("lang", form.locale.data, samesite="Lax", httponly=True, max_age=365 * 86400)
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
            commit()
    return response


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(desk_url(current_user))
    return redirect(url_for("auth.login"))
