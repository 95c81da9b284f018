"""Acceptance 4 (emails) and the outbox page: an email whose worker died between claim and send is
delivered exactly once in the end; one that died after handing it to SMTP is failed (it may have
arrived) and a person retries it from the page; SMTP down until the retries run out → failed,
with the error, visible and retryable."""

import socket
from datetime import timedelta

from sqlalchemy import select

from intranet.extensions import db
from intranet.jobs import mail
from intranet.models import Email
from intranet.services import notify
from intranet.web.transaction import commit


def _queued(key: str) -> Email:
    with_request = notify.email(f"test:{key}", "rep1@demo.local", "审批提醒", "您有一张待审批的单据。")
    commit()
    return with_request


def _row(email_id: int) -> Email:
    db.session.expire_all()
    return db.session.get(Email, email_id)


def test_worker_died_between_claim_and_send_is_delivered_once(app, smtp_sink, run_worker, frozen_clock):
    row = _queued("claimed")
    from redis import Redis

    Redis.from_url(app.config["REDIS_URL"]).flushdb()  # the dead worker had taken the job off the queue
    assert mail._claim(row.id)  # what the worker did first; then it died before SMTP
    assert _row(row.id).status == "sending"
    assert mail.sweep_outbox() == 0  # still within the timeout: it might be a slow worker
    assert _row(row.id).status == "sending"

    frozen_clock.shift(mail.STUCK_SENDING + timedelta(seconds=5))
    assert mail.sweep_outbox() == 1  # recovered to pending and enqueued again
    assert "未交给邮件服务器" in _row(row.id).last_error
    assert run_worker().returncode == 0
    assert len(smtp_sink.wait_for(1)) == 1
    assert (_row(row.id).status, _row(row.id).attempts) == ("sent", 2)
    assert mail.sweep_outbox() == 0
    assert run_worker().returncode == 0
    assert len(smtp_sink.wait_for(2, timeout=1.5)) == 1  # exactly once in the end


def test_worker_died_after_handing_to_smtp_is_failed_then_retried_by_a_person(app, login, smtp_sink, run_worker,
                                                                              frozen_clock):
    row = _queued("handed")
    from redis import Redis

    Redis.from_url(app.config["REDIS_URL"]).flushdb()
    assert mail._claim(row.id)
    claimed = _row(row.id)
    claimed.handed_at = claimed.claimed_at  # it had started talking to SMTP when it died
    db.session.commit()
    frozen_clock.shift(mail.STUCK_SENDING + timedelta(seconds=5))
    assert mail.sweep_outbox() == 0  # not re-sent behind anyone's back
    failed = _row(row.id)
    assert failed.status == "failed" and "可能已收到" in failed.last_error
    assert smtp_sink.messages == []

    manager = login("manager")
    page = manager.get("/reports/outbox?status=failed").get_data(as_text=True)
    assert "可能已收到" in page and f"/reports/outbox/{row.id}/retry" in page
    assert manager.post(f"/reports/outbox/{row.id}/retry").status_code == 303
    assert _row(row.id).status == "pending"
    assert manager.post(f"/reports/outbox/{row.id}/retry").status_code == 409  # not failed any more
    assert run_worker().returncode == 0
    assert len(smtp_sink.wait_for(1)) == 1
    assert _row(row.id).status == "sent"
    assert login("rep1").get("/reports/outbox").status_code == 403


def test_smtp_down_after_the_last_retry_is_failed_and_visible(app, login, run_worker):
    app.config["MAIL_PORT"] = _closed_port()
    row = _queued("down")
    db.session.execute(db.update(Email).where(Email.id == row.id).values(attempts=mail.MAX_ATTEMPTS - 1))
    db.session.commit()
    assert run_worker().returncode == 0
    failed = _row(row.id)
    assert failed.status == "failed" and failed.attempts == mail.MAX_ATTEMPTS and failed.last_error
    page = login("assistant").get("/reports/outbox").get_data(as_text=True)
    assert "失败" in page and f"/reports/outbox/{row.id}/retry" in page
    assert row.id not in db.session.scalars(select(Email.id).where(Email.status == "pending")).all()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
