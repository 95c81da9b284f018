"""Pagination of a select() with the page size from config."""

from flask import current_app, request

from ..extensions import db


def paginate(stmt, per_page: int | None = None):
    page = request.args.get("page", 1, type=int)
    return db.paginate(stmt, page=max(page, 1), per_page=per_page or current_app.config["PAGE_SIZE"],
                       error_out=False)
