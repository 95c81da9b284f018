"""Acceptance 2 on PostgreSQL: eight keepers' sign-outs of the same file at the same moment — exactly one
loan; and two people acknowledging / the custodian stamping twice at once count once."""

from datetime import timedelta

import pytest
from race import race
from sqlalchemy import func, select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import ArchiveFile, ArchiveLoan, User
from intranet.services import archive, audit

pytestmark = pytest.mark.postgres


def test_a_file_is_never_lent_twice_at_once(pg_app):
    users = {u.username: u for u in db.session.scalars(select(User))}
    file = archive.save_file(users["assistant"], None, {"title": "并发借阅", "klass": "contract", "retention": "long",
                                                        "contents": "x"})
    db.session.commit()
    ids = {"file": file.id, "assistant": users["assistant"].id,
           "borrowers": [users[n].id for n in ("manager", "director", "gm", "assistant")]}

    def lend(i):
        f = db.session.get(ArchiveFile, ids["file"])
        borrower = db.session.get(User, ids["borrowers"][i % 4])
        loan = archive.lend(db.session.get(User, ids["assistant"]), f, borrower, f"用途{i}",
                            today_local() + timedelta(days=3))
        return f"ok {loan.id}"

    results = race(pg_app, 8, lend)
    assert len(results) == 8
    assert len([r for r in results if r.startswith("ok")]) == 1, results
    assert all(r.startswith("ok") or "已借给" in r for r in results), results
    assert db.session.scalar(select(func.count()).select_from(ArchiveLoan)
                             .where(ArchiveLoan.file_id == ids["file"], ArchiveLoan.back_at.is_(None))) == 1
    assert audit.verify() is None


def test_the_database_refuses_a_second_open_loan(pg_app):
    from sqlalchemy.exc import IntegrityError

    users = {u.username: u for u in db.session.scalars(select(User))}
    file = archive.save_file(users["assistant"], None, {"title": "索引", "klass": "contract", "retention": "long"})
    archive.lend(users["assistant"], file, users["manager"], "审核", today_local())
    db.session.commit()
    db.session.add(ArchiveLoan(file_id=file.id, borrower_id=users["gm"].id, purpose="绕过服务", due_on=today_local(),
                               lent_by_id=users["assistant"].id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_two_outcomes_of_one_tender_at_once_give_one(pg_app):
    from intranet.models import Tender
    from intranet.services import tenders

    users = {u.username: u for u in db.session.scalars(select(User))}
    tender = tenders.register(users["assistant"], users["rep3"].region, users["rep3"], {
        "title": "并发结果", "source": "网站", "buyer": "某水务", "deadline": today_local() + timedelta(days=3)})
    db.session.commit()
    ids = {"tender": tender.id, "people": [users["assistant"].id, users["manager"].id]}
    outcomes = ("won", "lost", "abandoned", "won", "lost", "abandoned")

    def decide(i):
        t = db.session.get(Tender, ids["tender"])
        tenders.decide(db.session.get(User, ids["people"][i % 2]), t, outcomes[i], f"结果{i}")
        return f"ok {outcomes[i]}"

    results = race(pg_app, 6, decide)
    assert len([r for r in results if r.startswith("ok")]) == 1, results
    assert all(r.startswith("ok") or "已登记结果" in r for r in results), results
    db.session.expire_all()
    assert f"ok {db.session.get(Tender, ids['tender']).outcome}" in results
    assert audit.verify() is None
