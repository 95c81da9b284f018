from intranet.extensions import db
from intranet.services import notify
from intranet.web.transaction import commit


def test_login_and_desk(login):
    c = login("rep1")
    assert c.get("/rep/").status_code == 200
    assert c.get("/manager/").status_code == 403


def test_csrf_client_posts(login):
    c = login("manager")
    from intranet.services.settings import DEFINITIONS
    data = {d.key: d.default for d in DEFINITIONS} | {"work_start": "08:30"}
    r = c.post("/org/settings", data=data)
    assert r.status_code == 303


def test_pg(pg_app):
    assert db.session.execute(db.text("select 1")).scalar() == 1


def test_email_worker(app, smtp_sink, run_worker, users):
    with app.test_request_context():
        notify.email("k1", "a@b.c", "主题", "正文")
        commit()
    r = run_worker()
    assert r.returncode == 0, r.stderr
    assert len(smtp_sink.wait_for(1)) == 1
