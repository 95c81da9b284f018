"""Contracts (SPEC 2.10): review routing with the director threshold, signing only after review,
per-record visibility, the signed-copy count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import Product, Setting
from intranet.models.customers import Customer
from intranet.services import approvals
from intranet.services import contracts as svc
from intranet.services.errors import DomainError, Forbidden

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a7f1d2e50000000049454e44ae426082")


def _customer(user):
    return db.session.scalar(select(Customer).where(Customer.owner_id == user.id).order_by(Customer.id))


def _products():
    return list(db.session.scalars(select(Product).order_by(Product.id).limit(2)))


def _contract(users, rep="rep1", price="100.00", qty=3, special=""):
    p1, p2 = _products()
    lines = [svc.LineInput(p1.id, qty, Decimal(price)), svc.LineInput(p2.id, 2, Decimal("12.345"))]
    contract = svc.create_contract(users[rep], _customer(users[rep]), lines, special_clauses=special)
    db.session.commit()
    return contract


def _roles(req):
    return [s["role"] for s in req.steps]


def test_amount_is_sum_of_rounded_lines(app, users):
    contract = _contract(users, price="99.99", qty=7)
    expected = Decimal("99.99") * 7 + (Decimal("12.35") * 2)
    assert contract.total_amount == expected
    assert [ln.amount for ln in contract.lines] == [Decimal("699.93"), Decimal("24.70")]


def test_review_manager_only_below_threshold(app, users):
    req = svc.submit_contract(users["rep1"], _contract(users))
    assert _roles(req) == ["manager"]


def test_review_adds_director_above_threshold_or_special_clauses(app, users):
    db.session.add(Setting(key="contract_director_threshold", value="500.00"))
    db.session.commit()
    at_limit = _contract(users, price="238.00", qty=2)  # 476 + 24.70 = 500.70 > 500
    assert svc.submit_contract(users["rep1"], at_limit).steps[-1]["role"] == "director"
    below = _contract(users, price="237.00", qty=2)  # 474 + 24.70 = 498.70
    assert _roles(svc.submit_contract(users["rep1"], below)) == ["manager"]
    special = _contract(users, price="1.00", qty=1, special="质保期延长至三年")
    assert _roles(svc.submit_contract(users["rep1"], special)) == ["manager", "director"]


def test_signed_only_after_review_and_author_cannot_review(app, users):
    contract = _contract(users, special="违约金 5%")
    with pytest.raises(DomainError):
        svc.mark_signed(users["rep1"], contract, today_local())
    req = svc.submit_contract(users["rep1"], contract)
    db.session.commit()
    with pytest.raises(Forbidden):
        approvals.decide(users["rep1"], req.id, "approve", "同意")
    db.session.rollback()
    approvals.decide(users["manager"], req.id, "approve", "同意")
    with pytest.raises(DomainError):
        svc.mark_signed(users["rep1"], contract, today_local())  # the director has not decided yet
    approvals.decide(users["director"], req.id, "approve", "同意")
    assert contract.status == "approved"
    svc.mark_signed(users["rep1"], contract, today_local())
    assert contract.status == "signed"


def _signed(users, rep="rep1"):
    contract = _contract(users, rep=rep)
    req = svc.submit_contract(users[rep], contract)
    approvals.decide(users["manager"], req.id, "approve", "同意")
    svc.mark_signed(users[rep], contract, today_local() - timedelta(days=1))
    db.session.commit()
    return contract


def test_missing_signed_copies_count_and_scan_upload(app, users):
    a, b = _signed(users), _signed(users)
    _contract(users)  # not signed: nothing missing
    assert svc.missing_scans(users["manager"]) == 2
    svc.upload_scan(users["rep1"], a, "signed.png", PNG)
    db.session.commit()
    assert svc.missing_scans(users["manager"]) == 1 and b.scan_file_id is None
    with pytest.raises(DomainError):
        svc.upload_scan(users["rep1"], a, "x.txt", b"not an image")


def test_finance_confirms_original_once(app, users):
    contract = _signed(users)
    with pytest.raises(DomainError):
        svc.confirm_original(users["rep1"], contract)
    svc.confirm_original(users["finance"], contract)
    assert contract.original_received and contract.original_received_by_id == users["finance"].id
    with pytest.raises(DomainError):
        svc.confirm_original(users["finance"], contract)


def test_change_papers_are_kept(app, users):
    contract = _signed(users)
    svc.add_change(users["rep1"], contract, "change1.png", PNG, "交货期顺延")
    svc.add_change(users["rep1"], contract, "change2.png", PNG)
    db.session.commit()
    assert [c.note for c in contract.changes] == ["交货期顺延", ""]


def test_visibility_per_record(app, users):
    mine = _contract(users, rep="rep1")
    theirs = _contract(users, rep="rep2")

    def seen(name):
        return set(db.session.scalars(svc.visible_contracts(users[name]))) & {mine, theirs}

    assert seen("rep1") == {mine}
    assert seen("rep2") == {theirs}
    for name in ("manager", "director", "gm", "assistant", "finance"):
        assert seen(name) == {mine, theirs}
    sup = users["rep1"].reports_to
    expected = {c for c in (mine, theirs) if c.rep.reports_to_id == sup.id}
    assert seen(sup.username) == expected and mine in expected
    assert svc.can_see(users["rep2"], mine) is False


def test_rep_cannot_quote_for_someone_elses_customer(app, users):
    p1, _ = _products()
    with pytest.raises(DomainError):
        svc.create_quotation(users["rep1"], _customer(users["rep2"]), [svc.LineInput(p1.id, 1, Decimal("1"))],
                             today_local())


def test_quotation_review_send_and_convert(app, users):
    p1, _ = _products()
    q = svc.create_quotation(users["rep1"], _customer(users["rep1"]), [svc.LineInput(p1.id, 4, Decimal("25.50"))],
                             today_local() + timedelta(days=30), "款到发货")
    with pytest.raises(DomainError):
        svc.mark_sent(users["rep1"], q)
    req = svc.submit_quotation(users["rep1"], q)
    assert _roles(req) == ["manager"]
    approvals.decide(users["manager"], req.id, "approve", "同意")
    svc.mark_sent(users["rep1"], q)
    contract = svc.contract_from_quotation(users["rep1"], q)
    assert q.status == "converted" and contract.total_amount == Decimal("102.00")
    assert contract.quotation_id == q.id and contract.payment_terms == "款到发货"


def test_register_page_filters_counts_and_exports(app, users, login):
    signed = _signed(users)
    _contract(users, rep="rep2")
    rep1 = login("rep1")
    page = rep1.get("/contracts/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert signed.number in html and "已签订未上传扫描件：1 份" in html
    manager = login("manager")
    assert "已签订未上传扫描件：1 份" in manager.get("/contracts/").get_data(as_text=True)
    only_signed = manager.get("/contracts/?status=signed", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in only_signed and signed.number in only_signed
    others = [c.number for c in db.session.scalars(select(svc.Contract).where(svc.Contract.status != "signed"))]
    assert others and not any(n in only_signed for n in others)
    export = manager.get("/contracts/?format=xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"
