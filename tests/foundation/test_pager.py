"""The shared pager: a next link from one extra row, a count only when needed and capped, never a
count(*) over the whole table."""


from sqlalchemy import func, select
from statements import count_queries

from intranet.extensions import db
from intranet.models import User
from intranet.web.pagination import paginate


def _page(app, stmt, page: int, **kw):
    with app.test_request_context(f"/?page={page}"), count_queries() as seen:
        result = paginate(stmt, **kw)
    return result, seen


def test_pages_walk_the_rows_in_order_with_a_capped_count(app, users):
    stmt = select(User).order_by(User.id)
    ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    assert len(ids) >= 7
    walked, page = [], 1
    while True:
        result, seen = _page(app, stmt, page, per_page=3, count_cap=4)
        walked += [u.id for u in result.items]
        assert len(seen) == 2  # the rows (one extra) and the bounded count
        assert "LIMIT" in seen[1].upper() and "count(" in seen[1].lower()
        assert result.capped and result.total == 4
        if not result.has_next:
            break
        assert result.next_num == page + 1 and result.pages >= page + 1
        page += 1
    assert walked == ids
    assert result.has_prev and result.prev_num == page - 1


def test_exact_total_below_the_cap_and_no_count_when_one_page_holds_all(app, users):
    n = db.session.scalar(select(func.count()).select_from(User))
    result, seen = _page(app, select(User).order_by(User.id), 1, per_page=3)
    assert result.total == n and not result.capped and result.pages == -(-n // 3)
    result, seen = _page(app, select(User).order_by(User.id), 1, per_page=n + 5)
    assert len(seen) == 1 and result.total == n and result.pages == 1 and not result.has_next
    result, seen = _page(app, select(User).order_by(User.id), 99, per_page=3)
    assert result.items == [] and not result.has_next
