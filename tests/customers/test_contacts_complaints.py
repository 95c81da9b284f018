"""Contacts and certificates editable and audited; complaints reminded before the deadline and
escalated after it (once each); feedback (反馈) gets an addressee and an answer."""

from datetime import UTC, date, datetime, timedelta

from intranet.extensions import db
from intranet.models import AuditEntry, Customer, Email, Interaction, Todo
from intranet.services import customers as svc
from intranet.services import visits as reminders


def _customer(users):
    return db.session.scalar(db.select(Customer).where(Customer.owner_id == users["rep1"].id).order_by(Customer.id))


def test_a_contact_and_a_certificate_are_edited_and_audited(app, users, login):
    customer = _customer(users)
    contact = customer.contacts[0]
    rep1 = login("rep1")
    assert rep1.get(f"/customers/{customer.id}/contacts/{contact.id}/edit").status_code == 200
    response = rep1.post(f"/customers/{customer.id}/contacts/{contact.id}/edit",
                         data={"name": "王总", "title": "总经理", "phone": "13800000000", "email": ""})
    assert response.status_code == 303
    response = rep1.post(f"/customers/{customer.id}/contacts/{contact.id}/edit", data={"name": ""})
    assert response.status_code == 200 and "请填写联系人姓名" in response.get_data(as_text=True)
    db.session.expire_all()
    contact = db.session.get(type(contact), contact.id)
    assert (contact.name, contact.phone) == ("王总", "13800000000")
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "customer.contact.update"))
    assert entry.after["contact"]["name"] == "王总" and entry.before["contact"]["name"] != "王总"
    cert = customer.certificates[0]
    response = rep1.post(f"/customers/{customer.id}/certificates/{cert.id}/edit",
                         data={"name": cert.name, "number": "91310000X", "expires_on": "2027-12-31"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(type(cert), cert.id).expires_on == date(2027, 12, 31)
    # another rep's customer: not found
    assert login("rep3").get(f"/customers/{customer.id}/contacts/{contact.id}/edit").status_code == 404
    page = rep1.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "data-confirm" in page and "/edit" in page


def test_a_complaint_is_reminded_before_and_escalated_after_its_deadline_once_each(app, users):
    customer = _customer(users)
    db.session.execute(db.delete(Interaction).where(Interaction.kind == "complaint"))
    item = svc.log_interaction(users["rep1"], customer, "complaint", "设备漏水", assignee=users["rep2"],
                               deadline=date(2026, 11, 20))
    db.session.commit()
    keys = lambda: set(db.session.scalars(db.select(Email.key).where(Email.key.contains(f":{item.id}:"))))  # noqa: E731
    assert keys() == {f"interaction:{item.id}:assigned:u{users['rep2'].id}"}
    on = lambda d: datetime(2026, 11, d, 1, tzinfo=UTC)  # noqa: E731
    assert reminders.remind_complaints(on(18)) == 0  # two days before
    assert reminders.remind_complaints(on(19)) == 1 and reminders.remind_complaints(on(20)) == 0
    assert reminders.remind_complaints(on(21)) == 1 and reminders.remind_complaints(on(23)) == 0
    db.session.commit()
    boss = users["rep2"].reports_to
    assert keys() >= {f"complaint-due:{item.id}:u{users['rep2'].id}", f"complaint-overdue:{item.id}:u{boss.id}"}
    svc.resolve_complaint(users["rep2"], item, "已更换密封圈")
    db.session.commit()
    assert not db.session.scalar(db.select(Todo.id).where(Todo.key.contains(f":{item.id}:"), Todo.done.is_(False)))


def test_feedback_goes_to_its_addressee_who_answers_it(app, users, login):
    customer = _customer(users)
    item = svc.log_interaction(users["rep1"], customer, "feedback", "希望增加夜间服务电话", assignee=users["assistant"],
                               deadline=date(2026, 11, 25))
    db.session.commit()
    todo = db.session.scalar(db.select(Todo).where(Todo.key == f"interaction:{item.id}:assigned:u{users['assistant'].id}"))
    assert todo is not None and not todo.done
    response = login("assistant").post(f"/customers/{customer.id}/interactions/{item.id}/resolve",
                                       data={"resolution": "已开通 400 夜间值班"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Interaction, item.id).resolution == "已开通 400 夜间值班"
    assert db.session.get(Todo, todo.id).done
    plain = svc.log_interaction(users["rep1"], customer, "feedback", "只是说一声")
    assert plain.assignee_id is None
    assert reminders.remind_complaints(datetime(2026, 11, 26, 1, tzinfo=UTC) + timedelta(days=1)) >= 1
