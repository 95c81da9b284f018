"""Acceptance 3 and 4 and the task flow: a seal use is logged only when approved, never approved by its
requester; a notice's unread list is exact and each acknowledgement is audited; a task is done by its
assignee and checked by whoever assigned it."""

from datetime import timedelta

import pytest
from office_helpers import approve_all
from sqlalchemy import select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import AuditEntry, Minutes, Seal, SealUse, Task, Violation
from intranet.services import approvals, audit, minutes, notices, seals
from intranet.services.errors import DomainError, Forbidden


def _seal():
    return db.session.scalar(select(Seal).where(Seal.name == "经济合同章"))


def _use(users, who="assistant", kind="use", **extra):
    use = seals.request(users[who], _seal(), {"kind": kind, "document": "某某购销合同", "purpose": "签约",
                                             "copies": "2", **extra})
    db.session.commit()
    return use


def test_a_use_is_logged_only_once_approved(app, users, login):
    use = _use(users, "rep1")
    client = login("assistant")
    refused = client.post(f"/office/seals/uses/{use.id}/stamp")
    assert refused.status_code == 409 and "尚未批准" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SealUse, use.id).stamped_at is None
    approve_all(seals.USE_TYPE, use)
    assert client.post(f"/office/seals/uses/{use.id}/stamp").status_code == 303
    db.session.expire_all()
    use = db.session.get(SealUse, use.id)
    assert use.status == "approved" and use.stamped_by_id == users["assistant"].id
    assert client.post(f"/office/seals/uses/{use.id}/stamp").status_code == 409  # once
    assert audit.verify() is None


def test_the_requester_cannot_approve_their_own_use(app, users):
    use = seals.request(users["manager"], _seal(), {"kind": "use", "document": "经理的合同", "purpose": "签约",
                                                    "copies": "1"})
    db.session.commit()
    req = seals.approval_request(use)
    with pytest.raises(Forbidden):
        approvals.decide(users["manager"], req.id, "approve", "同意")
    db.session.rollback()
    assert db.session.get(SealUse, use.id).status == "pending"
    assert approvals.capacity(users["manager"], req) is None
    approvals.decide(users["director"], req.id, "approve", "同意")  # the next level up decides instead
    db.session.commit()
    assert db.session.get(SealUse, use.id).status == "approved"


def test_a_removal_needs_the_custodian_and_the_manager_then_out_and_back(app, users, login):
    use = _use(users, "rep1", kind="out", due_back=today_local() + timedelta(days=1))
    req = seals.approval_request(use)
    assert [s["role"] for s in req.steps] == ["assistant", "manager"]
    with pytest.raises(DomainError):
        seals.sign_out(users["assistant"], use)
    db.session.rollback()
    approve_all(seals.OUT_TYPE, use)
    client = login("assistant")
    assert client.post(f"/office/seals/uses/{use.id}/out").status_code == 303
    db.session.expire_all()
    assert _seal().out is True
    assert client.post(f"/office/seals/uses/{use.id}/back").status_code == 303
    db.session.expire_all()
    assert _seal().out is False


def test_an_unauthorised_removal_becomes_a_violation_slip(app, users, login):
    incident = seals.report_removal(users["assistant"], _seal(), users["rep1"], today_local(), "未经同意带出")
    db.session.commit()
    assert login("manager").post(f"/office/seals/incidents/{incident.id}/violation").status_code == 409  # not rep1's boss
    assert login("supervisor1").post(f"/office/seals/incidents/{incident.id}/violation").status_code == 303
    db.session.expire_all()
    slip = db.session.get(Violation, db.session.get(type(incident), incident.id).violation_id)
    assert (slip.rule, slip.amount, slip.user_id) == ("seal_out", 50, users["rep1"].id)


def test_the_unread_list_is_exact_and_audited(app, users, login):
    reps = [users[r] for r in ("rep1", "rep2", "rep3", "rep4")]
    notice = notices.circulate(users["manager"], {"kind": "notice", "title": "关于月底对账的通知", "body": "请各位核对。",
                                                  "roles": ["rep"], "sign_ids": [users["director"].id]})
    db.session.commit()
    assert {r.user_id for r in notice.recipients} == {u.id for u in reps} | {users["director"].id}
    for name in ("rep1", "rep3"):
        assert login(name).post(f"/office/notices/{notice.id}/read").status_code == 303
    assert login("rep1").post(f"/office/notices/{notice.id}/read").status_code == 409  # once
    db.session.expire_all()
    notice = notices.get_visible_or_404(users["manager"], notice.id)
    assert sorted(r.user.username for r in notices.unread(notice)) == ["director", "rep2", "rep4"]
    page = login("manager").get(f"/office/notices/{notice.id}").get_data(as_text=True)
    unread = page.split('id="unread-list"', 1)[1].split("</p>", 1)[0]
    assert all(users[n].name in unread for n in ("rep2", "rep4", "director"))
    assert all(users[n].name not in unread for n in ("rep1", "rep3"))
    assert login("director").post(f"/office/notices/{notice.id}/sign", data={"comment": "同意，照办"}).status_code == 303
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(("notice.read", "notice.sign")))
                                 .order_by(AuditEntry.id)).all()
    mine = [(e.action, e.actor_id) for e in entries if (e.after or {}).get("notice") == notice.number]
    assert mine == [("notice.read", users["rep1"].id), ("notice.read", users["rep3"].id),
                    ("notice.sign", users["director"].id)]
    assert notices.unread(notice) == [r for r in notice.recipients if r.user.username in ("rep2", "rep4")]
    assert audit.verify() is None
    # a rep outside the circulation never sees a notice (only the policy library)
    assert login("rep1").get(f"/office/notices/{notice.id}").status_code == 200
    other = notices.circulate(users["manager"], {"kind": "notice", "title": "仅主管", "body": "x", "roles": ["supervisor"]})
    db.session.commit()
    assert login("rep1").get(f"/office/notices/{other.id}").status_code == 404


def test_notice_form_needs_someone_to_read_it(app, users, login):
    html = login("manager").post("/office/notices/new", data={"kind": "notice", "title": "t", "body": "b"},
                                 headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "请选择传阅对象" in html and "<html" not in html


def test_a_task_is_done_by_the_assignee_and_checked_by_the_assigner(app, users, login):
    meeting = db.session.scalar(select(Minutes).order_by(Minutes.id))
    manager = login("manager")
    assert manager.post(f"/office/minutes/{meeting.id}/tasks", data={
        "assignee_id": users["rep2"].id, "what": "整理客户回访记录", "due_on": today_local().isoformat(),
        "place": "办公室", "check_method": "经理抽查三家"}).status_code == 303
    task = db.session.scalar(select(Task).where(Task.what == "整理客户回访记录"))
    assert task in minutes.open_for(users["rep2"])
    assert minutes.remind_due() >= 1 and minutes.remind_due() == 0  # due today: reminded once
    rep2 = login("rep2")
    assert rep2.post(f"/office/tasks/{task.id}/check").status_code == 403  # not the assigner
    assert "请填写完成结果" in rep2.post(f"/office/tasks/{task.id}/done", data={"result": ""}).get_data(as_text=True)
    assert rep2.post(f"/office/tasks/{task.id}/done", data={"result": "已整理 12 家"}).status_code == 303
    assert manager.post(f"/office/tasks/{task.id}/check", data={"outcome": "redo"}).status_code == 200  # reason needed
    assert manager.post(f"/office/tasks/{task.id}/check", data={"outcome": "pass", "comment": "好"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == "checked"
    assert login("rep1").get(f"/office/tasks/{task.id}").status_code == 404


def test_nobody_assigns_a_task_to_themselves(app, users):
    with pytest.raises(minutes.InputErrors):
        minutes.assign(users["manager"], None, users["manager"], {"what": "x", "due_on": today_local(),
                                                                  "check_method": "y"})


def test_notice_attachments_are_scoped_and_the_policy_library_is_open(app, users, login):
    import io

    from intranet.models import NoticeFile

    pdf = b"%PDF-1.4\n% notice\n%%EOF\n"

    def upload(client, notice, data, name="附件.pdf"):
        return client.post(f"/office/notices/{notice.id}/files", data={"scan": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")

    notice = notices.circulate(users["manager"], {"kind": "notice", "title": "主管会议安排", "body": "见附件。",
                                                  "roles": ["supervisor"]})
    policy = notices.circulate(users["manager"], {"kind": "policy", "title": "差旅费报销管理办法XQ",
                                                  "body": "住宿标准见附件。", "roles": ["supervisor"]})
    db.session.commit()
    manager = login("manager")
    assert upload(login("rep1"), policy, b"junk", "x.exe").status_code == 403  # permission before the file
    assert upload(login("supervisor1"), notice, b"junk", "x.exe").status_code == 403
    bad = upload(manager, notice, b"junk", "x.exe")
    assert bad.status_code == 200 and "PDF 格式" in bad.get_data(as_text=True)
    assert upload(manager, notice, pdf).status_code == 303 and upload(manager, policy, pdf).status_code == 303
    n_file = db.session.scalar(select(NoticeFile).where(NoticeFile.notice_id == notice.id))
    p_file = db.session.scalar(select(NoticeFile).where(NoticeFile.notice_id == policy.id))
    n_url = f"/office/notices/{notice.id}/files/{n_file.id}"
    # a notice's attachment: the people it was circulated to and the leaders only
    for username, status in (("supervisor1", 200), ("director", 200), ("gm", 200), ("manager", 200),
                             ("assistant", 403), ("rep1", 404), ("finance", 404)):
        response = login(username).get(n_url)
        assert response.status_code == status, username
        if status == 200:
            assert response.data == pdf
    # the policy library: everyone finds it and downloads its attachment
    for username in ("rep1", "finance", "assistant"):
        client = login(username)
        listing = client.get("/office/", query_string={"kind": "policy", "q": "XQ"})
        assert "差旅费报销管理办法XQ" in listing.get_data(as_text=True)
        assert client.get(f"/office/notices/{policy.id}/files/{p_file.id}").data == pdf
    assert login("rep1").get(f"/office/notices/{policy.id}/files/{n_file.id}").status_code == 404  # another notice's
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "notice.file",
                                                         AuditEntry.object_id == n_file.id)) is not None
