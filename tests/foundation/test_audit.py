"""The hash-chained audit trail: audited actions, `flask audit-verify`, and the verify page."""

from datetime import UTC, datetime

import pytest

from intranet.extensions import db
from intranet.models import AuditEntry
from intranet.services import audit
from intranet.services.settings import DEFINITIONS

HX = {"HX-Request": "true"}


@pytest.fixture
def history(app, login, users):
    """Some real audited actions: logins, a failed login, a settings change, a user change."""
    manager = login("manager")
    login("rep1")
    app.test_client().post("/login", data={"username": "rep2", "password": "wrong"})
    form = {d.key: d.default for d in DEFINITIONS} | {"work_start": "08:30"}
    assert manager.post("/org/settings", data=form).status_code == 303
    rep = users["rep1"]
    assert manager.post(f"/org/users/{rep.id}", data={
        "username": rep.username, "name": "周杰（华东）", "email": rep.email, "role": "rep",
        "reports_to": rep.reports_to_id, "team": rep.team_id, "region": rep.region_id}).status_code == 303
    db.session.expire_all()
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert len(entries) >= 5
    return manager, entries


def _verify(app):
    db.session.expire_all()  # the CLI shares this test's session: drop cached rows first
    return app.test_cli_runner().invoke(args=["audit-verify"])


def test_actions_are_audited_with_before_and_after(history, users):
    _, entries = history
    actions = [e.action for e in entries]
    assert actions.count("auth.login") == 2 and "auth.login_failed" in actions
    setting = next(e for e in entries if e.action == "setting.update")
    assert (setting.before, setting.after) == ({"work_start": "09:00"}, {"work_start": "08:30"})
    assert setting.actor_id == users["manager"].id and setting.actor_name == "张伟"
    change = next(e for e in entries if e.action == "user.update")
    assert (change.before["name"], change.after["name"]) == ("周杰", "周杰（华东）")
    assert change.object_type == "User" and change.object_id == users["rep1"].id
    # Each entry holds the hash of the one before it.
    assert entries[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))


def test_verify_passes_on_an_untouched_chain(app, history):
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "chain intact" in result.output and f"{len(history[1])} entries" in result.output


def test_verify_names_an_edited_entry(app, history):
    _, entries = history
    target = entries[2]
    db.session.execute(db.text("UPDATE audit_entry SET actor_name = 'someone else' WHERE id = :id"),
                       {"id": target.id})
    db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at entry #{target.id} " in result.output


def test_verify_names_the_entry_after_a_deleted_one(app, history):
    _, entries = history
    deleted = entries[2]
    db.session.execute(db.text("DELETE FROM audit_entry WHERE id = :id"), {"id": deleted.id})
    db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at entry #{entries[3].id} " in result.output


def test_verify_catches_an_edit_with_a_recomputed_hash(app, history):
    """Rewriting an entry and fixing up its own hash still breaks the next link."""
    _, entries = history
    target = entries[1]
    target.after = {"forged": True}
    target.hash = audit._digest(target)
    db.session.commit()
    assert audit.verify().id == entries[2].id
    result = _verify(app)
    assert result.exit_code == 1 and f"#{entries[2].id} " in result.output


FORGED = {
    "at": datetime(2020, 1, 1, tzinfo=UTC), "actor_id": 999, "actor_name": "冒名者", "ip": "6.6.6.6",
    "action": "auth.nothing", "object_type": "Nothing", "object_id": 999, "before": {"x": 1},
    "after": {"work_start": "09:00"}, "prev_hash": "f" * 64, "hash": "e" * 64,
}


@pytest.mark.parametrize("column", sorted(FORGED))
def test_an_edit_of_any_column_is_detected(app, history, column):
    _, entries = history
    setting = next(e for e in entries if e.action == "setting.update")
    db.session.execute(db.update(AuditEntry).where(AuditEntry.id == setting.id).values({column: FORGED[column]}))
    db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1 and f"#{setting.id} " in result.output


def test_verify_page_shows_the_break(app, history):
    manager, entries = history
    clean = manager.post("/org/audit/verify")
    assert clean.status_code == 200 and "哈希链完整" in clean.get_data(as_text=True)
    target = entries[3]
    db.session.execute(db.text("UPDATE audit_entry SET action = 'auth.nothing' WHERE id = :id"), {"id": target.id})
    db.session.commit()
    page = manager.post("/org/audit/verify").get_data(as_text=True)
    assert f"哈希链在第 {target.id} 条记录处断开" in page and "<html" in page
    fragment = manager.post("/org/audit/verify", headers=HX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<div id="verify">') and f"第 {target.id} 条" in body


def test_audit_page_lists_entries_for_readers_only(history, login):
    manager, entries = history
    page = manager.get("/org/audit?action=setting.").get_data(as_text=True)
    assert "setting.update" in page and "auth.login" not in page
    assert login("rep1").get("/org/audit").status_code == 403
