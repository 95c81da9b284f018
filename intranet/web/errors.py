"""Error pages: every failure answers with a page in the user's language, never a traceback."""

import logging

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from ..extensions import db, htmx
from ..services.errors import DomainError

MESSAGES = {
    400: _l("请求无效"),
    403: _l("您没有权限访问此页面"),
    404: _l("页面不存在，或您无权查看该记录"),
    405: _l("不支持的操作"),
    413: _l("上传的文件过大"),
    429: _l("操作过于频繁，请稍后再试"),
    500: _l("系统出错，请稍后再试；问题已记录"),
}


def _page(status: int, message=None):
    template = "errors/fragment.html" if htmx else "errors/page.html"
    return render_template(template, status=status, message=message or MESSAGES.get(status)), status


def _handler(status: int):
    def handle(exc):
        # An exception that carries its own response (Flask-Limiter's on_breach page, abort(response))
        # keeps it; everything else gets the generic page.
        if getattr(exc, "response", None) is not None:
            return exc.response
        return _page(status)

    return handle


# Shown when even the error page cannot be rendered (the database is gone, a template broke).
BARE_500 = ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>500</title>"
            "<h1>500</h1><p>系统出错，请稍后再试；问题已记录。</p><p><a href=\"/\">返回工作台</a></p></html>")


def server_error(exc):
    """Roll the failed transaction back first: the page reads the signed-in user from the session,
    which would otherwise fail again on the same broken transaction."""
    try:
        db.session.rollback()
    except Exception:  # the connection itself is gone: a new one is taken on the next use
        db.session.remove()
    try:
        return _page(500)
    except Exception:
        logging.getLogger(__name__).exception("the error page failed")
        db.session.remove()
        return current_app.response_class(BARE_500, status=500, mimetype="text/html")


def register(app) -> None:
    for status in MESSAGES:
        app.register_error_handler(status, server_error if status == 500 else _handler(status))

    @app.errorhandler(CSRFError)
    def csrf_failed(exc):
        return _page(400, _l("页面已过期或缺少安全令牌，请刷新后重试"))

    @app.errorhandler(DomainError)
    def domain_error(exc):
        db.session.rollback()
        return _page(409, exc.message)
