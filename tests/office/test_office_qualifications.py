"""Company qualifications (公司资质): searchable and downloadable by every office role, registered by
the keepers only; expiry reminded `qualification_remind_days` ahead, once per expiry date."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import Email, Qualification, Setting, Todo
from intranet.services import qualifications
from intranet.services.errors import DomainError

PDF = b"%PDF-1.4\n% licence\n%%EOF\n"


def _licence(users, days=None, name="安全生产许可证"):
    qual = qualifications.save(users["assistant"], None, {
        "name": name, "number": "ZJ-AQ-0001", "issuer": "浙江省应急管理厅",
        "expires_on": None if days is None else today_local() + timedelta(days=days)})
    db.session.commit()
    return qual


def _count(model, prefix):
    return db.session.scalar(select(func.count()).select_from(model).where(model.key.startswith(prefix)))


def test_the_assistant_registers_and_uploads_everyone_searches_and_downloads(app, users, login):
    client = login("assistant")
    response = client.post("/office/qualifications/new", data={
        "name": "排污许可证", "number": "PW-2026-77", "issuer": "杭州市生态环境局", "expires_on": "2030-06-30"})
    assert response.status_code == 303
    qual = db.session.scalar(select(Qualification).where(Qualification.number == "PW-2026-77"))
    assert client.post(f"/office/qualifications/{qual.id}/scan",
                       data={"scan": (io.BytesIO(PDF), "排污许可证.pdf")},
                       content_type="multipart/form-data").status_code == 303
    for username in ("rep1", "supervisor1", "finance", "director"):
        other = login(username)
        assert qual.name in other.get("/office/qualifications", query_string={"q": "PW-2026"}).get_data(as_text=True)
        assert qual.name not in other.get("/office/qualifications",
                                          query_string={"q": "不存在的证书"}).get_data(as_text=True)
        download = other.get(f"/office/qualifications/{qual.id}/download")
        assert download.status_code == 200 and download.data == PDF
        assert other.get("/office/qualifications/new").status_code == 403


def test_only_the_keepers_register_and_bad_input_stays_beside_the_fields(app, users, login):
    with pytest.raises(DomainError):
        qualifications.save(users["rep1"], None, {"name": "x", "number": "1", "issuer": "y", "expires_on": None})
    before = db.session.scalar(select(func.count(Qualification.id)))
    html = login("assistant").post("/office/qualifications/new", data={"name": "", "number": "", "issuer": ""},
                                   headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "请填写资质名称" in html and "请填写证书编号" in html and "请填写发证机关" in html
    assert db.session.scalar(select(func.count(Qualification.id))) == before
    qual = _licence(users)
    assert login("rep1").post(f"/office/qualifications/{qual.id}/scan",
                              data={"scan": (io.BytesIO(PDF), "a.pdf")},
                              content_type="multipart/form-data").status_code == 403
    assert login("rep1").get(f"/office/qualifications/{qual.id}/download").status_code == 404  # no scan yet


def test_expiry_is_reminded_ahead_once_per_expiry_date(app, users):
    db.session.add(Setting(key="qualification_remind_days", value="15"))
    soon, later = _licence(users, days=10, name="临近到期证书"), _licence(users, days=16, name="远期证书")
    db.session.commit()
    qualifications.remind_expiring()
    db.session.commit()
    keepers = [users["assistant"], users["manager"]]
    soon_prefix, later_prefix = f"qualification-expiry:{soon.id}:", f"qualification-expiry:{later.id}:"
    assert _count(Email, soon_prefix) == len(keepers) and _count(Todo, soon_prefix) == len(keepers)
    assert _count(Email, later_prefix) == 0  # outside the 15-day window
    assert qualifications.remind_expiring() == 0  # the next run (or the next day) sends nothing again
    assert _count(Email, soon_prefix) == len(keepers)
    # renewed: a new expiry date is a new occasion once it comes near
    qualifications.save(users["manager"], soon, {"name": soon.name, "number": soon.number, "issuer": soon.issuer,
                                                 "expires_on": today_local() + timedelta(days=5)})
    db.session.commit()
    qualifications.remind_expiring()
    db.session.commit()
    assert _count(Email, soon_prefix) == 2 * len(keepers)


def test_the_daily_office_job_sends_the_reminders(app, users):
    from intranet.jobs.office import office_reminders

    qual = _licence(users, days=3, name="作业测试证书")
    result = office_reminders()
    assert result["qualifications"] >= 2
    assert _count(Email, f"qualification-expiry:{qual.id}:") == 2
    assert office_reminders()["qualifications"] == 0
