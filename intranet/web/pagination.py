"""Pagination of a select() with the page size from config, without counting a whole large table.

A page fetches per_page + 1 rows: the extra row says whether there is a next page. The total is
only counted when it is needed (not on a first page that holds everything) and then with a cap:
`SELECT count(*) FROM (… LIMIT cap + 1)` reads at most cap + 1 index entries, so the audit log's
hundreds of thousands of rows cost the same as ten thousand. Past the cap the pager says
"more than N" and still walks on with its next link.
"""

from __future__ import annotations

from math import ceil

from flask import current_app, request
from sqlalchemy import func, select

from ..extensions import db

COUNT_CAP = 10_000


class Page:
    """What the pager macro and the lists read (the attributes of Flask-SQLAlchemy's Pagination)."""

    def __init__(self, items: list, page: int, per_page: int, total: int, has_next: bool, capped: bool):
        self.items, self.page, self.per_page = items, page, per_page
        self.total, self.capped, self.has_next = total, capped, has_next

    @property
    def pages(self) -> int:
        counted = max(ceil(self.total / self.per_page), 1) if self.total else 1
        return max(counted, self.page + 1 if self.has_next else self.page)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def __iter__(self):
        return iter(self.items)


def paginate(stmt, per_page: int | None = None, count_cap: int = COUNT_CAP) -> Page:
    per_page = per_page or current_app.config["PAGE_SIZE"]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows = list(db.session.execute(stmt.limit(per_page + 1).offset((page - 1) * per_page)).unique().scalars())
    has_next = len(rows) > per_page
    items = rows[:per_page]
    if page == 1 and not has_next:
        return Page(items, page, per_page, len(items), False, False)
    bounded = stmt.order_by(None).limit(count_cap + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(bounded))
    capped = total > count_cap
    return Page(items, page, per_page, min(total, count_cap), has_next, capped)
