"""CSRF, login throttling, revocable sessions, password storage, headers and cookies."""

import re
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import pytest

from intranet.extensions import db
from intranet.models import AuditEntry, Setting, User
from intranet.services.settings import DEFINITIONS

HX = {"HX-Request": "true"}
SETTINGS_FORM = {d.key: d.default for d in DEFINITIONS}


def _set_cookie(response, name: str):
    """The parsed Set-Cookie header for `name` (None when the response sets no such cookie)."""
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        if name in cookie:
            return cookie[name]
    return None


def _stored_setting(key: str):
    db.session.expire_all()
    row = db.session.get(Setting, key)
    return row.value if row else None


# ---- CSRF ---------------------------------------------------------------------

def test_csrf_rejects_form_post_without_token(login):
    client = login("manager")
    client.csrf = False
    response = client.post("/org/settings", data=SETTINGS_FORM | {"work_start": "08:30"})
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    assert _stored_setting("work_start") is None
    # The same post with the token goes through: the 400 came from CSRF, nothing else.
    client.csrf = True
    assert client.post("/org/settings", data=SETTINGS_FORM | {"work_start": "08:30"}).status_code == 303
    assert _stored_setting("work_start") == "08:30"


def test_csrf_rejects_htmx_post_without_token(login):
    client = login("manager")
    client.csrf = False
    response = client.post("/org/settings", data=SETTINGS_FORM | {"work_start": "08:30"}, headers=HX)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "安全令牌" in body and "<html" not in body  # an error fragment, not a page
    assert _stored_setting("work_start") is None


def test_csrf_rejects_a_forged_token(login):
    client = login("manager")
    client.csrf = False
    response = client.post("/org/settings", data=SETTINGS_FORM, headers={"X-CSRFToken": "forged.token.value"})
    assert response.status_code == 400


def test_login_form_needs_csrf_token(client):
    client.csrf = False
    response = client.post("/login", data={"username": "rep1", "password": "demo123"})
    assert response.status_code == 400
    assert client.get("/rep/").status_code == 302  # not signed in


def test_layout_sends_csrf_header_for_htmx(login):
    html = login("rep1").get("/rep/").get_data(as_text=True)
    assert re.search(r"""<body [^>]*data-hx-headers='\{"X-CSRFToken": "[^"]+"\}'[^>]*>""", html)


# ---- login throttling -------------------------------------------------------------

def _attempt(client, username, password="wrong-password", **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def test_login_throttling_locks_account_and_address(app, client):
    for _ in range(5):
        response = _attempt(client, "rep1")
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.get_data(as_text=True)
    locked = _attempt(client, "rep1", "demo123")  # even the right password is refused now
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.get_data(as_text=True)
    assert client.get("/rep/").status_code == 302
    # The lock is per account and address: same address, other account still logs in …
    assert _attempt(app.test_client(), "rep2", "demo123").status_code == 303
    # … and the same account from another address too.
    other_ip = app.test_client()
    assert _attempt(other_ip, "rep1", "demo123", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 303


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client):
    for _ in range(5):
        _attempt(client, "rep1")
    spoofed = _attempt(client, "rep1", "demo123", headers={"X-Forwarded-For": "10.9.9.9"})
    assert spoofed.status_code == 429


def test_behind_a_proxy_the_client_address_counts(app, redis_url, tmp_path):
    from intranet import create_app
    from intranet.config import TestConfig

    proxied = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                         REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url, INSTANCE_DIR=tmp_path, PROXY_COUNT=1)
    proxied.test_client_class = app.test_client_class
    client = proxied.test_client()
    first = {"X-Forwarded-For": "10.0.0.1"}
    for _ in range(5):
        _attempt(client, "rep1", headers=first)
    assert _attempt(client, "rep1", "demo123", headers=first).status_code == 429
    assert _attempt(client, "rep1", "demo123", headers={"X-Forwarded-For": "10.0.0.2"}).status_code == 303
    db.session.expire_all()
    last = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (last.action, last.ip) == ("auth.login", "10.0.0.2")


def test_username_case_does_not_escape_the_lock(client):
    for name in ("rep1", "REP1", "Rep1", "rEp1", "rep1 "):
        assert _attempt(client, name).status_code == 200
    assert _attempt(client, "rep1", "demo123").status_code == 429


def test_successful_logins_are_not_counted(app):
    for _ in range(7):
        client = app.test_client()
        assert _attempt(client, "rep1", "demo123").status_code == 303


def test_failed_logins_are_audited(client):
    _attempt(client, "rep1")
    entry = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "auth.login_failed" and entry.after == {"username": "rep1"}


# ---- sessions the server can revoke ------------------------------------------------

def test_deactivated_user_is_logged_out_at_next_request(login, users):
    rep = login("rep1")
    assert rep.get("/rep/").status_code == 200
    manager = login("manager")
    assert manager.post(f"/org/users/{users['rep1'].id}/active", data={"active": "0"}).status_code == 303
    response = rep.get("/rep/")
    assert response.status_code == 302 and response.location.startswith("/login")
    htmx = rep.get("/rep/card/todos", headers=HX)
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login")
    refused = _attempt(rep, "rep1", "demo123")
    assert refused.status_code == 200 and "用户名或密码不正确" in refused.get_data(as_text=True)
    # Re-activated, the user can sign in again (the old session stays dead).
    assert manager.post(f"/org/users/{users['rep1'].id}/active", data={"active": "1"}).status_code == 303
    assert _attempt(rep, "rep1", "demo123").status_code == 303


def test_password_change_ends_other_sessions(login):
    here, elsewhere = login("rep1"), login("rep1")
    response = here.post("/account/password", data={"current": "demo123", "password": "new-secret-1",
                                                    "confirm": "new-secret-1"})
    assert response.status_code == 303
    assert here.get("/rep/").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/rep/").status_code == 302
    assert _attempt(elsewhere, "rep1", "demo123").status_code == 200
    assert _attempt(elsewhere, "rep1", "new-secret-1").status_code == 303


def test_wrong_current_password_changes_nothing(login, users):
    client = login("rep1")
    before = users["rep1"].password_hash
    response = client.post("/account/password", data={"current": "nope", "password": "new-secret-1",
                                                       "confirm": "new-secret-1"})
    assert response.status_code == 200 and "当前密码不正确" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, users["rep1"].id).password_hash == before


def test_logout_ends_every_session(login):
    first, second = login("supervisor1"), login("supervisor1")
    assert first.post("/logout").status_code == 303
    assert first.get("/supervisor/").status_code == 302
    assert second.get("/supervisor/").status_code == 302


def test_manager_password_reset_ends_sessions(login, users):
    rep = login("rep2")
    manager = login("manager")
    assert manager.post(f"/org/users/{users['rep2'].id}/password", data={"password": "reset-pass-9"}).status_code == 303
    assert rep.get("/rep/").status_code == 302
    assert _attempt(rep, "rep2", "reset-pass-9").status_code == 303


def test_absolute_timeout_ends_the_session(login):
    client = login("rep1")
    with client.session_transaction() as sess:
        sess["login_at"] = (datetime.now(UTC) - timedelta(hours=12, minutes=1)).isoformat()
    response = client.get("/rep/card/todos", headers=HX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")
    assert client.get("/rep/").status_code == 302


def test_session_within_absolute_limit_continues(login):
    client = login("rep1")
    with client.session_transaction() as sess:
        sess["login_at"] = (datetime.now(UTC) - timedelta(hours=11, minutes=59)).isoformat()
    assert client.get("/rep/").status_code == 200


def test_remember_me_restores_a_closed_browser_session(app):
    client = app.test_client()
    response = client.post("/login", data={"username": "rep1", "password": "demo123", "remember": "y"})
    assert response.status_code == 303
    remember = _set_cookie(response, "remember_token")
    assert remember is not None and remember["httponly"]
    expires = datetime.strptime(remember["expires"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert timedelta(days=2, hours=23) < expires - datetime.now(UTC) <= timedelta(days=3)
    # The browser was closed (or the idle timeout passed): only the remember cookie is left.
    client.delete_cookie("session")
    assert client.get("/rep/").status_code == 200
    # Revocation covers remembered sessions too.
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(username="rep1"))
        user.session_version += 1
        db.session.commit()
    client.delete_cookie("session")
    assert client.get("/rep/").status_code == 302


# ---- HTMX and expired sessions ------------------------------------------------------

def test_htmx_without_session_gets_hx_redirect(client):
    response = client.get("/rep/card/todos", headers=HX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")
    assert response.get_data() == b""
    plain = client.get("/rep/card/todos")
    assert plain.status_code == 302 and plain.location.startswith("/login?next=")


# ---- passwords ----------------------------------------------------------------------

def test_passwords_are_stored_hashed(app, login, users):
    stored = users["rep1"].password_hash
    assert stored.startswith("scrypt:") and "demo123" not in stored
    manager = login("manager")
    response = manager.post("/org/users/new", data={
        "username": "rep9", "name": "新人", "email": "rep9@demo.local", "role": "rep",
        "reports_to": "0", "team": "0", "region": "0", "password": "clear-text-pw"})
    assert response.status_code == 303
    new = db.session.scalar(db.select(User).filter_by(username="rep9"))
    assert new.password_hash.startswith("scrypt:") and "clear-text-pw" not in new.password_hash
    row = db.session.execute(db.text('SELECT * FROM "user" WHERE username = :u'), {"u": "rep9"}).mappings().one()
    assert not any("clear-text-pw" in str(value) for value in row.values())
    assert _attempt(app.test_client(), "rep9", "clear-text-pw").status_code == 303


# ---- headers and cookies -------------------------------------------------------------

@pytest.mark.parametrize("path", ["/login", "/rep/"])
def test_security_headers(app, login, path):
    client = login("rep1") if path != "/login" else app.test_client()
    response = client.get(path)
    assert response.status_code == 200
    csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    # No inline script in the page itself (the CSP would block it anyway).
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_session_cookie_is_httponly_and_lax(app):
    client = app.test_client()
    response = client.post("/login", data={"username": "rep1", "password": "demo123"})
    cookie = _set_cookie(response, "session")
    assert cookie is not None
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    expires = datetime.strptime(cookie["expires"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert timedelta(minutes=119) < expires - datetime.now(UTC) <= timedelta(minutes=120)  # idle timeout
    assert _set_cookie(response, "remember_token") is None  # no remember-me unless asked for
