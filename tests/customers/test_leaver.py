"""A leaver in one step (issue 17, acceptance 5): refused while an advance is unsettled unless the
manager gives a reason; customers, follow-ups, enquiries, samples on loan and waiting approvals
go to the named colleague in one audited step."""

from datetime import timedelta
from decimal import Decimal

import pytest

from intranet.extensions import db
from intranet.models import Advance, AuditEntry, Customer, Enquiry, Region, Todo, User
from intranet.models.visits import FollowUp
from intranet.services import advances, enquiries, people
from intranet.services import visits as visit_rules
from intranet.services.errors import DomainError
from intranet.web.formatting import today_local


def _paid_advance(users, who):
    today = today_local()
    adv = advances.save(users[who], None, amount=Decimal("800.00"), purpose="出差借款", trip_start=today,
                        trip_end=today + timedelta(days=2))
    request = advances.submit(users[who], adv)
    for decider in (users[who].reports_to, users["manager"]):
        from intranet.services import approvals

        approvals.decide(decider, request.id, "approve")
    advances.pay_out(users["finance"], adv)
    return adv


def _give_rep2_open_items(users):
    rep2 = users["rep2"]
    customer = db.session.scalar(db.select(Customer).where(Customer.owner_id == rep2.id).order_by(Customer.id))
    report = visit_rules.file_report(rep2, outcome="拜访", customer=customer, visit_date=today_local(),
                                     follow_ups=[("寄送报价", today_local() + timedelta(days=2))])
    east = db.session.scalar(db.select(Region).where(Region.name == "华东区"))
    enquiry = enquiries.register(users["assistant"], {"source": "phone", "contact_name": "张", "phone": "1",
                                                      "region_id": east.id, "content": "来电"})
    enquiry.assignee = rep2  # whichever rep the routing chose: make it rep2's
    db.session.commit()
    return report.follow_ups[0], enquiry


def test_deactivating_rep2_with_an_open_advance_is_refused(app, users, login):
    adv = _paid_advance(users, "rep2")
    db.session.commit()
    manager = login("manager")
    response = manager.post(f"/org/users/{users['rep2'].id}/active", data={"active": "0"})
    assert response.status_code == 303
    db.session.expire_all()
    assert users["rep2"].active
    response = manager.post(f"/org/users/{users['rep2'].id}/handover", data={"successor": users["rep1"].id})
    db.session.expire_all()
    assert users["rep2"].active
    page = manager.get(f"/org/users/{users['rep2'].id}").get_data(as_text=True)
    assert "借款未结清" in page and f"#{adv.id}" in page
    # with a reason the manager may go ahead; the advance stays the leaver's, the reason is audited
    response = manager.post(f"/org/users/{users['rep2'].id}/handover",
                            data={"successor": users["rep1"].id, "override_reason": "财务已同意从工资扣回"})
    assert response.status_code == 303
    db.session.expire_all()
    assert not users["rep2"].active and db.session.get(Advance, adv.id).requester_id == users["rep2"].id
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.handover"))
    assert entry.after["override_reason"] == "财务已同意从工资扣回" and entry.after["advances_left_open"] == [adv.id]


def test_the_handover_moves_everything_of_rep2_to_rep1_in_one_audited_step(app, users, login):
    rep1, rep2 = users["rep1"], users["rep2"]
    follow_up, enquiry = _give_rep2_open_items(users)
    customers = set(db.session.scalars(db.select(Customer.id).where(Customer.owner_id == rep2.id)))
    assert customers
    loaned = people.handover_items(rep2).samples
    page = login("manager").get(f"/org/users/{rep2.id}").get_data(as_text=True)
    assert "离职交接并停用" in page and "寄送报价" in page
    # a colleague of another role is not a successor
    with pytest.raises(DomainError):
        people.deactivate_with_handover(users["manager"], rep2, users["supervisor1"])
    db.session.rollback()
    before = db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "user.handover"))
    response = login("manager").post(f"/org/users/{rep2.id}/handover", data={"successor": rep1.id})
    assert response.status_code == 303
    db.session.expire_all()
    assert not rep2.active
    assert set(db.session.scalars(db.select(Customer.id).where(Customer.owner_id == rep1.id))) >= customers
    assert not db.session.scalar(db.select(Customer.id).where(Customer.owner_id == rep2.id))
    assert db.session.get(FollowUp, follow_up.id).assignee_id == rep1.id
    assert db.session.get(Enquiry, enquiry.id).assignee_id == rep1.id
    assert people.handover_items(rep2).empty
    assert people.open_advances(rep2) == []
    if loaned:
        assert people.handover_items(rep1).samples
    todos = {t.key for t in db.session.scalars(db.select(Todo).where(Todo.user_id == rep1.id, Todo.done.is_(False)))}
    assert f"enquiry:{enquiry.id}:u{rep1.id}" in todos
    assert not db.session.scalar(db.select(Todo.id).where(Todo.user_id == rep2.id, Todo.done.is_(False),
                                                          Todo.key.startswith("enquiry:")))
    entries = list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "user.handover")))
    assert len(entries) == before + 1
    assert set(entries[-1].after["customers"]) == customers and entries[-1].after["successor"] == "rep1"
    assert entries[-1].after["follow_ups"] == [follow_up.id] and entries[-1].after["enquiries"] == [enquiry.id]
    # the successor's desk now shows the follow-up
    assert "寄送报价" in login("rep1").get("/rep/").get_data(as_text=True)


def test_a_supervisor_leaving_hands_the_waiting_approvals_to_the_named_colleague(app, users):
    from intranet.services import approvals

    adv = advances.save(users["rep1"], None, amount=Decimal("500.00"), purpose="借款", trip_start=today_local(),
                        trip_end=today_local())
    request = advances.submit(users["rep1"], adv)
    db.session.commit()
    assert users["supervisor1"] in approvals.holders(request)
    people.deactivate_with_handover(users["manager"], users["supervisor1"], users["supervisor2"])
    db.session.commit()
    assert approvals.holders(request) == [users["supervisor2"]]


def test_no_team_is_left_reporting_to_an_inactive_supervisor(app, users, login):
    team = {u.id for u in people.subordinates(users["supervisor1"])}
    assert users["rep1"].id in team
    above = users["supervisor1"].reports_to
    assert above is not None and above.active
    # switched off at once (no handover): the team goes one level up
    response = login("manager").post(f"/org/users/{users['supervisor1'].id}/active", data={"active": "0"})
    assert response.status_code == 303
    db.session.expire_all()
    assert not users["supervisor1"].active
    assert {u.id for u in people.subordinates(above)} >= team
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.deactivate"))
    assert entry.after["reports_moved_to"]["to"] == above.username
    assert set(entry.after["reports_moved_to"]["staff"]) == {db.session.get(User, i).username for i in team}


def test_a_supervisors_handover_moves_the_team_to_the_successor(app, users):
    team = {u.id for u in people.subordinates(users["supervisor1"])}
    people.deactivate_with_handover(users["manager"], users["supervisor1"], users["supervisor2"])
    db.session.commit()
    assert not users["supervisor1"].active
    assert {u.id for u in people.subordinates(users["supervisor2"])} >= team
    assert people.subordinates(users["supervisor1"]) == []
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.handover"))
    assert set(entry.after["reports"]) == {db.session.get(User, i).username for i in team}
