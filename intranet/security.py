"""Login sessions that the server can revoke, timeouts, and security headers."""

from datetime import datetime, timedelta

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user, user_loaded_from_cookie

from .clock import now_utc
from .extensions import db, htmx, login_manager
from .models import User
from .web.security_headers import BASE_HEADERS


@login_manager.user_loader
def load_user(login_id: str):
    """The login id is "<user id>:<session version>": a bumped version ends old sessions."""
    try:
        user_id, version = (int(part) for part in login_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    if htmx:
        # An HTMX request must not swap the login page into a table cell.
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = target
        return response
    flash(_l("请先登录"), "info")
    return redirect(target)


def _absolute_timeout() -> None:
    if not current_user.is_authenticated:
        return
    started = session.get("login_at")
    limit = timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    if started is None or now_utc() - datetime.fromisoformat(started) > limit:
        logout_user()
        session.clear()


def _restored_from_cookie(sender, user) -> None:
    """A remembered browser whose session ended gets a new one (idle and absolute limits start
    again). Without a login time the absolute-timeout check would log it straight out, and
    remember-me would never work. The remember cookie itself still expires REMEMBER_DAYS after login."""
    session.permanent = True
    session["login_at"] = now_utc().isoformat()


def _headers(response):
    for name, value in BASE_HEADERS.items():
        response.headers.setdefault(name, value)
    if _signed_in():
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _signed_in() -> bool:
    """After a failed request the user may not be loadable; the headers go out all the same."""
    try:
        return bool(current_user and current_user.is_authenticated)
    except Exception:
        db.session.rollback()
        return True  # no-store is the safe answer when unsure


def register(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    user_loaded_from_cookie.connect(_restored_from_cookie, app)
    app.before_request(_absolute_timeout)
    app.after_request(_headers)
