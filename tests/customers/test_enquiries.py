"""The enquiry register (咨询登记): routing by region, the assistant's hold and the manager's escalation
(once each), taking up, conversion into a customer in one step (issue 17, acceptance 2)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from intranet.extensions import db
from intranet.jobs.reminders import escalate_enquiries
from intranet.models import AuditEntry, Customer, Email, Region, Todo, User
from intranet.models.enquiries import Enquiry
from intranet.services import enquiries as svc
from intranet.services import settings
from intranet.services.errors import DomainError

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)  # the frozen test instant (10:00 Shanghai)


def _clear():
    db.session.execute(db.delete(Enquiry))
    db.session.execute(db.delete(Todo).where(Todo.key.startswith(svc.TODO)))
    db.session.execute(db.delete(Email).where(Email.key.startswith(svc.TODO)))
    db.session.commit()


def _region(name):
    region = db.session.scalar(db.select(Region).where(Region.name == name))
    if region is None:
        region = Region(name=name)
        db.session.add(region)
        db.session.flush()
    return region


def _todos(prefix=svc.TODO):
    return {(t.key, t.user_id) for t in db.session.scalars(db.select(Todo).where(Todo.key.startswith(prefix),
                                                                              Todo.done.is_(False)))}


def test_an_enquiry_from_south_china_reaches_a_rep_of_the_region(app, users, login):
    _clear()
    client = login("assistant")
    response = client.post("/enquiries/new", data={
        "source": "web", "company": "深圳鹏城电子", "contact_name": "陈先生", "phone": "0755-1234 5678",
        "region": _region("华南区").id, "content": "网上咨询 RO-500"})
    assert response.status_code == 303
    item = db.session.scalar(db.select(Enquiry))
    assert item.assignee.username in ("rep3", "rep4") and item.status == "new"
    assert _todos() == {(f"enquiry:{item.id}:u{item.assignee_id}", item.assignee_id)}
    # the next one goes to the other rep of the region (fewer open enquiries)
    second = svc.register(users["assistant"], {"source": "phone", "contact_name": "林女士", "phone": "1",
                                               "region_id": _region("华南区").id, "content": "来电"})
    assert {item.assignee.username, second.assignee.username} == {"rep3", "rep4"}
    db.session.commit()
    rep = login(item.assignee.username)
    assert "深圳鹏城电子" in rep.get("/rep/").get_data(as_text=True)
    assert login("rep1").get(f"/enquiries/{item.id}").status_code == 404
    # taken up: off the to-do list; then one step to a customer owned by that rep
    assert rep.post(f"/enquiries/{item.id}/take").status_code == 303
    db.session.expire_all()
    assert db.session.get(Enquiry, item.id).status == "taken"
    assert (f"enquiry:{item.id}:u{item.assignee_id}", item.assignee_id) not in _todos()
    response = rep.post(f"/enquiries/{item.id}/convert", data={"name": ""})
    assert response.status_code == 303 and "/customers/" in response.location
    db.session.expire_all()
    item = db.session.get(Enquiry, item.id)
    customer = db.session.get(Customer, item.customer_id)
    assert (item.status, customer.owner_id, customer.lead_source, customer.stage) == (
        "converted", item.assignee_id, "web", "potential")
    assert customer.name == "深圳鹏城电子" and customer.contacts[0].phone == "0755-1234 5678"
    assert customer.region.name == "华南区"
    assert "网上咨询" in rep.get(f"/customers/{customer.id}").get_data(as_text=True)  # 信息来源 shown
    assert rep.post(f"/enquiries/{item.id}/convert").status_code == 303  # twice: refused with a message
    assert db.session.scalar(db.select(db.func.count(Customer.id)).where(Customer.name == "深圳鹏城电子")) == 1


def test_from_a_region_without_reps_the_assistant_then_the_manager_once_each(app, users):
    _clear()
    settings.update(users["manager"], {"enquiry_escalate_hours": "4"})
    item = svc.register(users["rep1"], {"source": "exhibition", "company": "兰州某厂", "contact_name": "马工",
                                        "phone": "0931", "region_id": _region("西北区").id, "content": "展会留资"},
                        now=NOW)
    db.session.commit()
    assistant, manager = users["assistant"], users["manager"]
    assert item.assignee_id == assistant.id
    hours = settings.get("enquiry_escalate_hours")
    assert hours == 4
    assert escalate_enquiries((NOW + timedelta(hours=hours) - timedelta(minutes=1)).isoformat()) == 0
    assert escalate_enquiries((NOW + timedelta(hours=hours)).isoformat()) == 1
    assert escalate_enquiries((NOW + timedelta(hours=hours + 5)).isoformat()) == 0  # once
    db.session.expire_all()
    item = db.session.get(Enquiry, item.id)
    assert item.assignee_id == manager.id and item.escalated_at is not None
    keys = set(db.session.scalars(db.select(Email.key).where(Email.key.startswith(svc.TODO))))
    assert keys == {f"enquiry:{item.id}:u{assistant.id}", f"enquiry:{item.id}:u{manager.id}"}
    assert _todos() == {(f"enquiry:{item.id}:u{manager.id}", manager.id)}  # the assistant's closed
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(
        AuditEntry.action == "enquiry.escalate", AuditEntry.object_id == item.id)) == 1


def test_taken_up_in_time_it_stays_with_the_assistant(app, users):
    _clear()
    item = svc.register(users["assistant"], {"source": "phone", "contact_name": "甲", "phone": "1",
                                             "region_id": _region("西北区").id, "content": "来电"}, now=NOW)
    svc.take(users["assistant"], item)
    db.session.commit()
    assert escalate_enquiries((NOW + timedelta(days=3)).isoformat()) == 0
    db.session.expire_all()
    assert db.session.get(Enquiry, item.id).assignee_id == users["assistant"].id


def test_bad_input_is_told_beside_the_field_and_nothing_is_saved(app, users, login):
    _clear()
    client = login("assistant")
    response = client.post("/enquiries/new", data={"source": "web", "contact_name": "乙", "content": "x"})
    assert response.status_code == 200 and "请留下电话或邮箱" in response.get_data(as_text=True)
    response = client.post("/enquiries/new", data={"source": "nonsense", "contact_name": "乙", "phone": "1",
                                                  "content": "x"})
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count(Enquiry.id))) == 0
    assert login("finance").get("/enquiries/").status_code == 403


@pytest.mark.postgres
def test_two_people_taking_the_same_enquiry_at_once_on_postgresql(pg_app):
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    _clear()
    item_id = svc.register(users["assistant"], {"source": "phone", "contact_name": "丙", "phone": "1",
                                                "region_id": _region("西北区").id, "content": "来电"}).id
    db.session.commit()
    takers = [users["assistant"].id, users["manager"].id]
    results, start = [], threading.Barrier(2)

    def run(i):
        with pg_app.app_context():
            start.wait(30)
            try:
                svc.take(db.session.get(User, takers[i]), db.session.get(Enquiry, item_id))
                db.session.commit()
                results.append("ok")
            except DomainError as exc:
                db.session.rollback()
                results.append(str(exc.message))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["ok", "该咨询已有人接手"], results
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(
        AuditEntry.action == "enquiry.take", AuditEntry.object_id == item_id)) == 1
