"""Acceptance 1 and 2: a restricted file opens for a non-leader only after a leader consents — not
through the page, the scan download or the contents search, per role; one loan at a time; an
overdue loan reminded once."""

from datetime import timedelta

import pytest
from office_helpers import SECRET, approve_all, restricted_file
from sqlalchemy import func, select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import ArchiveLoan, Email, Todo
from intranet.services import archive
from intranet.services.errors import DomainError

FREE = ["manager", "director", "gm", "assistant"]
RESTRICTED = ["rep1", "supervisor1", "finance"]


def _opens(client, file) -> tuple[bool, int, bool]:
    page = client.get(f"/office/archive/{file.id}").get_data(as_text=True)
    scan = file.scans[0]
    download = client.get(f"/office/archive/{file.id}/scans/{scan.id}").status_code
    found = file.number in client.get("/office/archive", query_string={"q": SECRET}).get_data(as_text=True)
    return SECRET in page, download, found


@pytest.mark.parametrize("username", FREE)
def test_leaders_and_the_keeper_read_freely(app, users, login, username):
    file = restricted_file(users)
    assert _opens(login(username), file) == (True, 200, True)


@pytest.mark.parametrize("username", RESTRICTED)
def test_others_read_only_after_a_leader_consents(app, users, login, username):
    file = restricted_file(users)
    client = login(username)
    assert _opens(client, file) == (False, 403, False)
    assert "申请查阅" in client.get(f"/office/archive/{file.id}").get_data(as_text=True)
    assert client.post(f"/office/archive/{file.id}/access", data={"purpose": "核对条款"}).status_code == 303
    access = archive.my_requests(users[username], file)[0]
    assert access.status == "pending"
    assert _opens(client, file) == (False, 403, False)  # asking is not consenting
    approve_all(archive.DOC_TYPE, access)
    assert access.status == "approved" and access.valid_until == today_local() + timedelta(days=archive.ACCESS_DAYS)
    assert _opens(client, file) == (True, 200, True)


def test_a_rejected_request_keeps_the_file_closed(app, users, login):
    from intranet.services import approvals

    file = restricted_file(users)
    access = archive.request_access(users["rep2"], file, "看看")
    db.session.commit()
    req = approvals.request_for(archive.DOC_TYPE, access.id)
    approvals.decide(users["manager"], req.id, "reject", "与工作无关")
    db.session.commit()
    assert _opens(login("rep2"), file) == (False, 403, False)


def test_the_keeper_cannot_lend_to_someone_without_consent(app, users, login):
    file = restricted_file(users)
    html = login("assistant").post(f"/office/archive/{file.id}/lend", data={
        "borrower_id": users["rep2"].id, "purpose": "核对", "due_on": today_local().isoformat()}).get_data(as_text=True)
    assert "尚未获得部门领导同意" in html
    assert db.session.scalar(select(func.count()).select_from(ArchiveLoan).where(ArchiveLoan.file_id == file.id)) == 0


def test_one_loan_at_a_time_then_back_and_again(app, users, login):
    file = restricted_file(users)
    client = login("assistant")
    due = (today_local() + timedelta(days=5)).isoformat()
    assert client.post(f"/office/archive/{file.id}/lend", data={
        "borrower_id": users["manager"].id, "purpose": "合同审核", "due_on": due}).status_code == 303
    with pytest.raises(DomainError, match="已借给"):
        archive.lend(users["assistant"], file, users["director"], "复核", today_local())
    db.session.rollback()
    loan = archive.open_loan(file)
    assert client.post(f"/office/archive/loans/{loan.id}/return").status_code == 303
    assert archive.open_loan(file) is None
    archive.lend(users["assistant"], file, users["director"], "复核", today_local())
    db.session.commit()
    assert archive.open_loan(file).borrower_id == users["director"].id


def test_an_overdue_loan_is_reminded_once(app, users):
    file = restricted_file(users)
    loan = archive.lend(users["assistant"], file, users["manager"], "合同审核", today_local())
    loan.due_on = today_local() - timedelta(days=1)
    db.session.commit()
    first = archive.remind_overdue()
    db.session.commit()
    assert first >= 2  # the borrower and the keeper (the demo's own overdue loan too)
    keys = [f"archive-overdue:{loan.id}:u{users['manager'].id}", f"archive-overdue:{loan.id}:u{users['assistant'].id}"]
    assert db.session.scalar(select(func.count()).select_from(Email).where(Email.key.in_(keys))) == 2
    assert db.session.scalar(select(func.count()).select_from(Todo).where(Todo.key.in_(keys))) == 2
    assert archive.remind_overdue() == 0  # a second run (or the next day) reminds nobody again
    archive.take_back(users["assistant"], loan)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Todo).where(Todo.key.in_(keys), Todo.done)) == 2


def test_bad_input_next_to_the_fields_nothing_saved(app, users, login):
    file = restricted_file(users)
    html = login("assistant").post(f"/office/archive/{file.id}/lend", data={
        "borrower_id": users["manager"].id, "purpose": "", "due_on": "2020-01-01"},
        headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "请填写借阅用途" in html and "应还日期不能早于今天" in html
    assert archive.open_loan(file) is None
    html = login("assistant").post("/office/archive/new", data={"title": "", "klass": "x"}).get_data(as_text=True)
    assert "请填写案卷题名" in html and "请选择档案类别" in html
