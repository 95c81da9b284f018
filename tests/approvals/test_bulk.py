"""Acceptance 4: bulk approve issues a bounded number of queries, and reports partial failures per item."""


import pytest
from sqlalchemy import func, select
from statements import count_queries

from intranet.extensions import db
from intranet.models import ApprovalRequest, AuditEntry, Email, Todo
from intranet.services import approvals as engine
from intranet.services.audit import verify

from .conftest import DOC_TYPE

HX = {"HX-Request": "true"}
# Reads do not depend on the number of items; each item costs only the INSERTs of the rows it must
# write (decision, audit entry, to-do, email — SQLite cannot batch ORM INSERT…RETURNING in a guaranteed
# order; PostgreSQL batches them too, see test_bulk_statements_are_constant_on_postgresql).
ROWS_PER_ITEM = 4
FIXED = 30


def _submit_many(users, submitted, n, prefix):
    return [submitted(users["rep1" if i % 2 else "rep2"], title=f"{prefix}{i:02d}") for i in range(n)]


def _bulk_via_service(user, reqs):
    ids = [r.id for r in reqs]
    seen = {r.id: (r.current_step, r.round) for r in reqs}
    db.session.expire_all()  # as in a fresh request: nothing cached in the session
    with count_queries() as statements:
        results = engine.bulk_decide(user, ids, "approve", seen=seen)
        db.session.commit()
    assert set(results.values()) == {None}
    return statements


def _reads(statements):
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def test_bulk_query_count_is_bounded_and_flat(users, submitted):
    counts, reads = {}, {}
    for n in (10, 50):
        reqs = _submit_many(users, submitted, n, f"批量{n}-")
        step1 = _bulk_via_service(users["supervisor1"], reqs)  # advances to step 2: announces to the manager
        step2 = _bulk_via_service(users["manager"], reqs)       # final approval: tells the submitters
        counts[n] = (len(step1), len(step2))
        reads[n] = (len(_reads(step1)), len(_reads(step2)))
        assert all(r.status == "approved" for r in reqs)
    print("bulk statements (step 1, final) for 10 and 50 items:", counts, "of which SELECT:", reads)
    assert reads[50] == reads[10]  # no per-item reads at all
    for n in (10, 50):
        assert max(counts[n]) <= ROWS_PER_ITEM * n + FIXED
    # per-item cost does not grow from 10 to 50 items (and is at most the rows written)
    for i in (0, 1):
        assert (counts[50][i] - counts[10][i]) / 40 <= ROWS_PER_ITEM
        assert counts[50][i] / 50 <= counts[10][i] / 10
    # and everything was written: decisions, audit entries (a valid chain), to-dos, emails
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "approval.approve")) == 120
    assert verify() is None
    manager = users["manager"]
    assert db.session.scalar(select(func.count(Todo.id)).where(Todo.user_id == manager.id)) == 60
    assert db.session.scalar(select(func.count(Email.id)).where(Email.subject.like("%已审批通过"))) == 60


@pytest.mark.postgres
def test_bulk_statements_are_constant_on_postgresql(pg_app, pg_users, submitted):
    counts = {}
    for n in (10, 50):
        reqs = _submit_many(pg_users, submitted, n, f"PG{n}-")
        step1 = _bulk_via_service(pg_users["supervisor1"], reqs)
        step2 = _bulk_via_service(pg_users["manager"], reqs)
        counts[n] = (len(step1), len(step2))
    print("PostgreSQL bulk statements (step 1, final) for 10 and 50 items:", counts)
    assert counts[50] == counts[10] and max(counts[50]) <= FIXED
    assert verify() is None


def test_bulk_through_the_web_is_bounded(users, submitted, login):
    sup = login("supervisor1")
    counts = {}
    for n in (10, 50):
        reqs = _submit_many(users, submitted, n, f"网页{n}-")
        data = {"ids": [str(r.id) for r in reqs], **{f"seen-{r.id}": f"{r.current_step}:{r.round}" for r in reqs}}
        db.session.expire_all()
        with count_queries() as statements:
            r = sup.post("/approvals/bulk", data=data, headers=HX)
        assert r.status_code == 200 and f"{n} 项已通过" in r.text and "<html" not in r.text
        assert 'id="approval-badge"' in r.text and 'hx-swap-oob="true"' in r.text
        counts[n] = len(statements)
    print("web bulk statements for 10 and 50 items:", counts)
    assert counts[50] <= ROWS_PER_ITEM * 50 + FIXED + 15  # + login check, inbox re-render, commit
    # (+3: the inbox re-rendered afterwards still lists the first batch, now waiting for the manager,
    # which loads their submitters — a constant, not a per-item cost)
    assert counts[50] - counts[10] <= ROWS_PER_ITEM * 40 + 3


def test_partial_failures_are_reported_per_item(users, submitted, make_user, login):
    engine.save_route(users["manager"], DOC_TYPE, [engine.step_dict("经理审批", "role", "manager")])
    db.session.commit()
    manager2 = make_user("manager", name="钱经理")
    fine = [submitted(users["rep1"], title=f"正常单{i}") for i in range(3)]
    taken = submitted(users["rep2"], title="已被处理的单")
    own = submitted(users["manager"], title="经理自己的单")
    seen = {r.id: f"{r.current_step}:{r.round}" for r in [*fine, taken, own]}
    engine.decide(manager2, taken.id, "approve", step_index=0)  # someone else was quicker
    db.session.commit()

    mgr = login("manager")
    page = mgr.get("/approvals/")
    assert "经理自己的单" not in page.text and "已被处理的单" not in page.text
    ids = [str(r.id) for r in [*fine, taken, own]]
    r = mgr.post("/approvals/bulk", headers=HX, data={"ids": ids, **{f"seen-{k}": v for k, v in seen.items()}})
    assert r.status_code == 200
    assert "3 项已通过，1 项已被他人处理，1 项不能审批自己提交或经办的单据（双人复核）" in r.text
    assert "「已被处理的单」：已被他人处理" in r.text and "「经理自己的单」：不能审批自己提交或经办的单据（双人复核）" in r.text
    db.session.expire_all()
    assert [db.session.get(ApprovalRequest, x.id).status for x in fine] == ["approved"] * 3
    assert engine.bulk_decide(users["manager"], [999999], "approve") == {999999: "审批单不存在"}
    assert db.session.get(ApprovalRequest, own.id).status == "pending"
    taken_now = db.session.get(ApprovalRequest, taken.id)
    assert [d.decider_id for d in taken_now.decisions if d.action == "approve"] == [manager2.id]


def test_bulk_does_not_reveal_documents_outside_the_users_scope(users, submitted, login):
    secret = submitted(users["rep3"], title="华南的机密单")  # supervisor2's team
    r = login("supervisor1").post("/approvals/bulk", headers=HX, data={"ids": [str(secret.id)]})
    assert r.status_code == 200 and "华南的机密单" not in r.text
    assert f"「#{secret.id}」：审批单不存在" in r.text
    db.session.expire_all()
    assert db.session.get(ApprovalRequest, secret.id).status == "pending"


def test_bulk_without_js_redirects_with_messages(users, submitted, login):
    reqs = [submitted(users["rep1"], title=f"无脚本{i}") for i in range(2)]
    sup = login("supervisor1")
    r = sup.post("/approvals/bulk", data={"ids": [str(x.id) for x in reqs]})
    assert r.status_code == 303
    page = sup.get("/approvals/")
    assert "2 项已通过" in page.text
    r = sup.post("/approvals/bulk", data={})
    assert r.status_code == 303 and "请先勾选" in sup.get("/approvals/").text


def test_a_refusing_document_hook_is_reported_and_the_rest_still_decided(users, submitted, adapter):
    """A document type's own rule (say the ledger would go negative) refuses one item at final approval."""
    from intranet.services.errors import DomainError

    engine.save_route(users["manager"], DOC_TYPE, [engine.step_dict("经理审批", "role", "manager")])
    db.session.commit()
    reqs = [submitted(users["rep1"], title=f"钩子{i}") for i in range(4)]
    bad = reqs[2]
    original = adapter.on_approved

    def on_approved(doc, actor):
        if doc.id == bad.doc_id:
            raise DomainError("备用金余额不足")
        original(doc, actor)

    adapter.on_approved = on_approved
    results = engine.bulk_decide(users["manager"], [r.id for r in reqs], "approve")
    db.session.commit()
    assert results == {r.id: (None if r is not bad else "备用金余额不足") for r in reqs}
    db.session.expire_all()
    statuses = [db.session.get(ApprovalRequest, r.id).status for r in reqs]
    assert statuses == ["approved", "approved", "pending", "approved"]
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "approval.approve")) == 3
    assert verify() is None


@pytest.mark.parametrize("action", ["return", "reject"])
def test_bulk_return_or_reject_needs_a_comment(users, submitted, action):
    req = submitted(users["rep1"])
    from intranet.services.errors import DomainError

    with pytest.raises(DomainError, match="必须填写意见"):
        engine.bulk_decide(users["supervisor1"], [req.id], action)
