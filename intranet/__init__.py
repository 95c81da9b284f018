"""销售内勤系统 — the application factory."""

import logging
from pathlib import Path

from flask import Flask, g, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from . import cli, security
from .config import Config
from .extensions import babel, csrf, db, htmx, limiter, login_manager, migrate
from .web import (
    clean_input,
    csrf_field,
    errors,
    flashes,
    formatting,
    static_files,
    stored_labels,
    transaction,
)


def create_app(config_class: type = Config, **overrides) -> Flask:
    instance_dir = overrides.get("INSTANCE_DIR", config_class.INSTANCE_DIR)
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_path=str(instance_dir))
    app.config.from_object(config_class)
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        from .config import _secret_key

        app.config["SECRET_KEY"] = _secret_key()
    logging.basicConfig(level=logging.INFO)

    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    csrf_field.install()
    clean_input.install(app)  # before the blueprints: their URL rules use its <int:> converter
    _init_extensions(app)
    _register_blueprints(app)
    formatting.register(app)
    stored_labels.register(app)
    flashes.register(app)
    errors.register(app)
    security.register(app)
    cli.register(app)
    static_files.install(app)  # last: WhiteNoise wraps the finished WSGI app

    from .web.desk import main_nav, nav_for, nav_groups_for

    app.jinja_env.globals.update(nav_for=nav_for, nav_groups_for=nav_groups_for, main_nav=main_nav)

    @app.context_processor
    def inject_globals():
        return {"current_locale": str(get_locale()), "demo_mode": app.config["DEMO_MODE"]}

    @app.get("/favicon.ico")
    def favicon():
        """Browsers ask for it at the root whatever the page links; the file is static/favicon.ico."""
        icon = Path(app.static_folder) / "favicon.ico"
        return app.response_class(icon.read_bytes(), mimetype="image/vnd.microsoft.icon",
                                  headers={"Cache-Control": "public, max-age=86400"})

    @app.before_request
    def remember_request_start():
        g.path = request.path

    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    transaction.install(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1})
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: "Asia/Shanghai")


def _select_locale() -> str:
    if not has_request_context():
        return "zh_CN"  # jobs and emails speak the company's language
    if current_user and current_user.is_authenticated:
        return current_user.locale
    # The cookie is the visitor's to change: anything but a language we ship is the default.
    chosen = request.cookies.get("lang")
    return chosen if chosen in LOCALES else "zh_CN"


LOCALES = ("zh_CN", "en")


def _register_blueprints(app: Flask) -> None:
    from .auth import bp as auth_bp
    from .blueprints import register_all

    app.register_blueprint(auth_bp)
    register_all(app)
