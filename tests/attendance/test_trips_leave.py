"""Trips: the route by estimated cost, the trip days, advances and claims linked to the trip. Leave:
cancelled before it starts, balances, and the morning meeting."""

from datetime import date
from decimal import Decimal

import pytest

from intranet.extensions import db
from intranet.models import Advance, ExpenseClaim
from intranet.services import approvals, meeting, trips
from intranet.services import leave as leave_svc
from intranet.services.errors import DomainError

from .conftest import at

DAY = date(2026, 3, 9)


def trip(users, cost, person="rep1"):
    with at(date(2026, 3, 2)):
        doc = trips.request_trip(users[person], {
            "destination": "温州", "start_day": DAY, "end_day": date(2026, 3, 11), "purpose": "拜访经销商，催收货款",
            "customers": "温州清泉净水", "estimated_cost": Decimal(cost), "advance_needed": Decimal("0.00")})
        db.session.commit()
    return doc


def test_trip_route_line_manager_and_above_the_setting_the_manager(users):
    cheap, dear = trip(users, "1200.00"), trip(users, "4800.00")
    assert [s.get("role") for s in approvals.request_for("trip", cheap.id).steps] == [None]
    assert [s.get("role") for s in approvals.request_for("trip", dear.id).steps] == [None, "manager"]


def test_advances_and_claims_link_to_the_trip_and_show_beside_it(users, login):
    doc = trip(users, "800.00")
    rep = users["rep1"]
    advance = Advance(requester_id=rep.id, amount=Decimal("500.00"), purpose="温州出差借款", trip_start=DAY,
                      trip_end=date(2026, 3, 11))
    claim = ExpenseClaim(claimant_id=rep.id, title="温州差旅费", total=Decimal("620.00"))
    other = ExpenseClaim(claimant_id=users["rep2"].id, title="别人的报销", total=Decimal("10.00"))
    db.session.add_all([advance, claim, other])
    db.session.commit()
    trips.link(rep, doc, "advance", advance.id)
    trips.link(users["assistant"], doc, "expense", claim.id)
    db.session.commit()
    with pytest.raises(DomainError, match="出差人本人"):
        trips.link(users["assistant"], doc, "expense", other.id)
    with pytest.raises(DomainError, match="已关联"):
        trips.link(rep, doc, "advance", advance.id)
    page = login("assistant").get(f"/attendance/trips/{doc.id}").get_data(as_text=True)
    assert "温州出差借款" in page and "¥620.00" in page


def test_leave_is_cancelled_only_before_it_starts(users, decide_all):
    with at(date(2026, 3, 2)):
        doc = leave_svc.request_leave(users["rep1"], {"kind": "annual", "start_day": DAY, "end_day": DAY})
        db.session.commit()
    decide_all("leave", doc, "supervisor1", "assistant")
    assert leave_svc.balances(users["rep1"], 2026)["annual"]["left"] == Decimal("4")
    with at(DAY, 9), pytest.raises(DomainError, match="已经开始"):
        leave_svc.cancel(users["rep1"], doc)
    with at(date(2026, 3, 6)):
        leave_svc.cancel(users["rep1"], doc)
        db.session.commit()
    assert doc.status == "cancelled"
    assert leave_svc.balances(users["rep1"], 2026)["annual"]["left"] == Decimal("5")


def test_annual_leave_beyond_the_balance_is_refused(users):
    with at(date(2026, 3, 2)), pytest.raises(DomainError, match="年假余额不足") as exc:
        leave_svc.request_leave(users["rep1"], {"kind": "annual", "start_day": DAY, "end_day": date(2026, 3, 20)})
    assert exc.value.field == "kind"


def test_the_meeting_is_on_working_days_and_marks_the_absent(users):
    with at(date(2026, 2, 17), 10), pytest.raises(DomainError, match="不是工作日"):
        meeting.record(users["assistant"], date(2026, 2, 17), [], "", "")
    with at(DAY, 10, 30):
        row = meeting.record(users["assistant"], DAY, [users["rep1"].id], "本周目标", "发货慢")
        db.session.commit()
    assert users["rep1"].id in row.present_ids and users["rep2"].id in row.absent_ids
