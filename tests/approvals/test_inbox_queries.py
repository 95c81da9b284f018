"""The inbox page asks the same number of queries for 5 or 15 waiting requests (no per-row
approver lookup), and every row still offers the decision to the person who holds it."""

from intranet.extensions import db
from intranet.services import approvals as engine

from .test_bulk import _submit_many, count_queries


def _inbox(client) -> tuple[int, str]:
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get("/approvals/")
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def _at_manager_step(users, submitted, n, prefix):
    """n requests past the supervisor, waiting at the manager's step (approver chosen by role)."""
    reqs = _submit_many(users, submitted, n, prefix)
    seen = {r.id: (r.current_step, r.round) for r in reqs}
    assert set(engine.bulk_decide(users["supervisor1"], [r.id for r in reqs], "approve", seen=seen).values()) == {None}
    db.session.commit()


def test_inbox_query_count_does_not_grow_with_rows(users, submitted, login):
    client = login("manager")
    _at_manager_step(users, submitted, 5, "少")
    few, html = _inbox(client)
    assert html.count('name="ids"') == 5
    _at_manager_step(users, submitted, 10, "多")
    many, html = _inbox(client)
    assert html.count('name="ids"') == 15
    assert many == few, (few, many)
