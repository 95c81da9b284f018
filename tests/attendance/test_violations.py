"""Acceptance 5: the third "not mine" slip for the same person proposes dismissal to the manager; the
presets, the line-manager rule and four eyes."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import Todo
from intranet.services import approvals
from intranet.services import violations as svc
from intranet.services.errors import DomainError, Forbidden

from .conftest import at

DAY = date(2026, 3, 9)


def file(users, rule="not_mine", person="rep1", by="supervisor1", **fields):
    with at(DAY, 15):
        slip = svc.file(users[by], users[person], {"rule": rule, "day": DAY, "evidence": "客户投诉被推给同事", **fields})
        db.session.commit()
    return slip


def test_the_third_not_mine_slip_proposes_dismissal_to_the_manager(users):
    first, second = file(users), file(users)
    assert (first.occurrence, second.occurrence) == (1, 2)
    assert not first.proposes_dismissal and not second.proposes_dismissal
    assert file(users, person="rep2").occurrence == 1  # counted per person
    third = file(users)
    assert third.occurrence == 3 and third.proposes_dismissal and third.amount == Decimal("100.00")
    todo = db.session.scalar(select(Todo).where(Todo.user_id == users["manager"].id,
                                                Todo.key == f"dismissal-proposal:{third.id}:u{users['manager'].id}"))
    assert todo is not None and "除名" in todo.text
    req = approvals.request_for("violation", third.id)
    assert any(s.get("role") == "manager" or s["approver_kind"] == "line_manager" for s in req.steps)
    approvals.decide(users["manager"], req.id, "approve", "同意除名建议，报总经理")
    db.session.commit()
    assert third.status == "approved"


def test_a_rejected_slip_does_not_count(users):
    slip = file(users)
    approvals.decide(users["manager"], approvals.request_for("violation", slip.id).id, "reject", "证据不足")
    db.session.commit()
    assert file(users).occurrence == 1


def test_seal_presets(users):
    assert file(users, rule="seal_out").amount == Decimal("50.00")
    assert file(users, rule="seal_harm").amount == Decimal("1000.00")


def test_only_the_line_manager_files_and_the_person_never_decides(users):
    with at(DAY, 15), pytest.raises(DomainError) as exc:
        svc.file(users["supervisor2"], users["rep1"], {"rule": "seal_out", "day": DAY, "evidence": "x"})
    assert exc.value.field == "user_id"
    slip = file(users, rule="reward", person="supervisor1", by="manager", amount=Decimal("500.00"))
    req = approvals.request_for("violation", slip.id)
    with pytest.raises(Forbidden):
        approvals.decide(users["manager"], req.id, "approve", "")  # the filer never decides it
    approvals.decide(users["director"], req.id, "approve", "")
    db.session.commit()
    assert slip.status == "approved"


def test_custom_rules_need_an_amount(users):
    with at(DAY, 15), pytest.raises(DomainError) as exc:
        svc.file(users["supervisor1"], users["rep1"], {"rule": "other_fault", "day": DAY, "evidence": "x"})
    assert exc.value.field == "amount"
