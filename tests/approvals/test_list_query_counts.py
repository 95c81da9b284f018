"""The inbox and 我的申请 cost the same number of queries with 5 documents as with 15 (no query per row)."""

from intranet.extensions import db

from .test_bulk import count_queries

HX = {"HX-Request": "true"}


def _submit(users, submitted, n, prefix):
    return [submitted(users["rep1"], title=f"{prefix}{i:02d}") for i in range(n)]


def _queries(client, url) -> int:
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(url, headers=HX)
    assert response.status_code == 200
    return len(statements)


def test_inbox_queries_do_not_grow_with_rows(users, submitted, login):
    boss = login("supervisor1")
    counts = []
    for n in (5, 10):
        _submit(users, submitted, n, f"收件{n}-")
        counts.append(_queries(boss, "/approvals/"))
    assert counts[0] == counts[1], counts


def test_my_requests_are_paginated_and_their_queries_do_not_grow_with_rows(users, submitted, login, app):
    rep = login("rep1")
    counts = []
    for n in (5, 10):
        _submit(users, submitted, n, f"申请{n}-")
        counts.append(_queries(rep, "/approvals/mine"))
    assert counts[0] == counts[1], counts
    _submit(users, submitted, app.config["PAGE_SIZE"], "更多-")
    first = rep.get("/approvals/mine").text
    assert "第 1 / 2 页" in first and "更多-" in first
    second = rep.get("/approvals/mine?page=2").text
    assert "申请5-00" in second and "申请5-00" not in first and "更多-" not in second
    # beyond a first page the pager adds its one (capped) count query, whatever the number of rows
    assert _queries(rep, "/approvals/mine?page=2") == counts[0] + 1
