"""Teams and regions are managed in the UI by the manager (issue 13), every change audited."""

from sqlalchemy import select

from intranet.extensions import db
from intranet.models import AuditEntry, Region, Team


def test_manager_adds_a_team_with_its_supervisor_and_renames_a_region(login, users):
    manager = login("manager")
    page = manager.get("/org/teams")
    assert page.status_code == 200 and "团队与区域" in page.text
    assert users["rep1"].team.name in page.text

    r = manager.post("/org/teams/new", data={"name": " 华南二组 ", "supervisor": users["supervisor1"].id})
    assert r.status_code == 303
    team = db.session.scalar(select(Team).where(Team.name == "华南二组"))
    assert team.supervisor_id == users["supervisor1"].id

    region = users["rep1"].region
    r = manager.post(f"/org/regions/{region.id}", data={"name": "华东大区"})
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Region, region.id).name == "华东大区"
    assert "华东大区" in manager.get("/org/teams").text

    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(2)).all()
    assert actions == ["region.update", "team.create"]


def test_a_clashing_name_or_a_non_supervisor_is_refused_beside_the_field(login, users):
    manager = login("manager")
    taken = users["rep1"].team.name
    before = db.session.scalar(select(db.func.count()).select_from(Team))
    r = manager.post("/org/teams/new", data={"name": taken.upper(), "supervisor": ""})
    assert r.status_code == 200 and "已有同名的一项" in r.text
    r = manager.post("/org/teams/new", data={"name": "新组", "supervisor": users["rep1"].id})
    assert r.status_code == 200 and "has-error" in r.text  # a rep is not among the supervisors offered
    r = manager.post(f"/org/teams/{users['rep1'].team_id}", data={"name": "  "})
    assert r.status_code == 200 and "请填写名称" in r.text
    assert db.session.scalar(select(db.func.count()).select_from(Team)) == before


def test_only_the_manager_may(login, users):
    for who in ("rep1", "supervisor1", "director", "assistant"):
        client = login(who)
        assert client.get("/org/teams").status_code == 403
        assert client.post("/org/regions/new", data={"name": "西北"}).status_code == 403
    assert db.session.scalar(select(Region).where(Region.name == "西北")) is None
