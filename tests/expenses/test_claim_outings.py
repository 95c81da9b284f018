"""A claim line names the visit or trip it belongs to; travel and entertainment with no outing that
day are flagged to the approver and the assistant, not refused (issue 17, acceptance 3)."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import expense_helpers as h

from intranet.extensions import db
from intranet.models import Customer, ExpenseClaim, VisitReport
from intranet.services import approvals, expenses
from intranet.services import visits as visit_rules


def _report(user, day):
    customer = db.session.scalar(db.select(Customer).where(Customer.owner_id == user.id).order_by(Customer.id))
    report = visit_rules.file_report(user, outcome="拜访", customer=customer, visit_date=day)
    db.session.commit()
    return report


def _data(*rows, title="外出报销"):
    data = {"title": title, "promotion_id": "0", "action": "submit", "receipts": (BytesIO(h.PNG), "fapiao.png")}
    for i, (category, day, amount, outing) in enumerate(rows):
        data.update({f"lines-{i}-category": category, f"lines-{i}-spent_on": day.isoformat(),
                     f"lines-{i}-amount": amount, f"lines-{i}-description": f"第{i + 1}项",
                     f"lines-{i}-outing": outing})
    return data


def test_a_line_on_someone_elses_visit_is_not_found_and_nothing_is_saved(login, users):
    day = h.today_local() - timedelta(days=2)
    theirs = _report(users["rep2"], day)
    before = db.session.scalar(db.select(db.func.count(ExpenseClaim.id)))
    response = login("rep1").post("/expenses/claims/new", data=_data(("travel", day, "120", f"v{theirs.id}")),
                                  content_type="multipart/form-data")
    assert response.status_code == 404
    assert db.session.scalar(db.select(db.func.count(ExpenseClaim.id))) == before
    # the rep's own visit is offered on the form, rep2's is not
    page = login("rep1").get("/expenses/claims/new").get_data(as_text=True)
    assert f'value="v{theirs.id}"' not in page


def test_the_visit_shows_beside_the_line_and_an_unbacked_travel_line_is_flagged(login, users):
    day = h.today_local() - timedelta(days=3)
    mine = _report(users["rep1"], day)
    empty_day = h.today_local() - timedelta(days=5)
    assert not db.session.scalar(db.select(VisitReport.id).where(VisitReport.rep_id == users["rep1"].id,
                                                               VisitReport.visit_date == empty_day))
    rep1 = login("rep1")
    assert f'value="v{mine.id}"' in rep1.get("/expenses/claims/new").get_data(as_text=True)
    response = rep1.post("/expenses/claims/new", data=_data(
        ("travel", day, "88.00", f"v{mine.id}"), ("travel", empty_day, "230.00", ""),
        ("courier", empty_day, "15.00", ""), ("entertainment", day, "300.00", "")),
        content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    claim = db.session.scalar(db.select(ExpenseClaim).where(ExpenseClaim.title == "外出报销"))
    assert claim.status == "pending"  # flagged, not refused
    linked, unbacked, courier, same_day = claim.lines
    assert linked.visit_report_id == mine.id
    # only the travel line of a day without a visit or trip: courier is not an outing, and the
    # entertainment line is on a day with a recorded visit
    assert expenses.unbacked_lines(claim) == {unbacked.id}
    req = approvals.request_for("expense", claim.id)
    drawer = login("supervisor1").get(f"/approvals/{req.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "当天无拜访或出差记录" in drawer and drawer.count("当天无拜访或出差记录") == 1
    assert mine.customer.name in drawer and day.isoformat() in drawer
    detail = login("assistant").get(f"/expenses/claims/{claim.id}").get_data(as_text=True)
    assert f"/visits/reports/{mine.id}" in detail and "当天无拜访或出差记录" in detail
    assert claim.total == Decimal("633.00")


def test_an_approved_trip_backs_the_days_it_covers(users):
    from intranet.models import Trip

    rep1 = users["rep1"]
    start = h.today_local() - timedelta(days=20)
    db.session.add(Trip(user_id=rep1.id, destination="杭州", start_day=start, end_day=start + timedelta(days=2),
                        purpose="客户拜访", status="approved"))
    db.session.flush()
    doc = h.claim(rep1, "100", day=start + timedelta(days=1))
    outside = h.claim(rep1, "100", day=start + timedelta(days=3))
    assert expenses.unbacked_lines(doc) == set()
    assert expenses.unbacked_lines(outside) == {outside.lines[0].id}
