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


def test_a_role_never_escalated_to_gets_the_inbox_the_full_evaluation_gives(app, users):
    """Supervisors, the assistant and finance have their inbox from the requests that could name them
    (engine._named_candidates); it equals evaluating every pending request, on the demo's quarter."""
    from sqlalchemy import select

    from intranet.demo_history import seed_history
    from intranet.models import ApprovalRequest, User
    from intranet.models.approvals import PENDING

    seed_history()
    db.session.commit()
    pending = db.session.scalars(select(ApprovalRequest).where(ApprovalRequest.status == PENDING)
                                 .order_by(ApprovalRequest.step_started_at.desc(), ApprovalRequest.id.desc())).all()
    readers = db.session.scalars(select(User).where(User.role.in_(engine.NEVER_ESCALATED), User.active)).all()
    held = 0
    for reader in readers:
        expected = [r.id for r in pending if engine.capacity(reader, r) is not None]
        assert [r.id for r in engine.inbox(reader)] == expected, reader.username
        held += len(expected)
    assert held > 0  # the demo has requests waiting for them
