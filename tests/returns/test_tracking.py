"""After sign-off: notified → shipped → received (counted) → finance → closed; nothing skipped."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from intranet.extensions import db
from intranet.services import returns as svc
from intranet.services.errors import DomainError, Forbidden
from intranet.web.formatting import today_local


@pytest.fixture
def signed(make_return, sign):
    def _signed(**kwargs):
        doc = make_return("rep1", **kwargs)
        sign(doc, "supervisor1", "director", "gm")
        return doc

    return _signed


def _ship(users, doc):
    svc.notify_customer(users["assistant"], doc, "电话通知客户")
    svc.record_shipment(users["assistant"], doc, "顺丰速运", "SF123", today_local())
    db.session.commit()


def test_cannot_close_before_receipt_and_finance(app, users, signed):
    doc = signed(qty=5)
    assistant, finance = users["assistant"], users["finance"]
    for stage in ("signed", "notified", "shipped", "received"):
        assert doc.status == stage
        with pytest.raises(DomainError, match="入库并且财务办完"):
            svc.close(assistant, doc)
        if stage == "signed":
            with pytest.raises(DomainError):  # finance cannot jump ahead either
                svc.record_refund(finance, doc, "refund", Decimal("1.00"), today_local(), "X")
            svc.notify_customer(assistant, doc, "电话通知")
        elif stage == "notified":
            with pytest.raises(DomainError):  # no receipt before the goods were shipped back
                svc.record_receipt(assistant, doc, {doc.lines[0].id: 5}, today_local(), "")
            svc.record_shipment(assistant, doc, "德邦物流", "DB1", today_local())
        elif stage == "shipped":
            svc.record_receipt(assistant, doc, {doc.lines[0].id: 5}, today_local(), "")
    with pytest.raises(Forbidden):  # the assistant does not do finance's part
        svc.record_refund(assistant, doc, "refund", Decimal("10.00"), today_local(), "X")
    svc.record_refund(finance, doc, "credit", doc.total_amount, today_local(), "红字发票 001")
    with pytest.raises(Forbidden):
        svc.close(finance, doc)
    svc.close(assistant, doc)
    db.session.commit()
    assert doc.status == "closed" and doc.closed_by_id == assistant.id
    for who in ("notified_by_id", "shipped_by_id", "received_by_id", "closed_by_id"):
        assert getattr(doc, who) == assistant.id
    assert doc.refunded_by_id == finance.id
    assert [e.kind for e in doc.events][-6:] == ["signed", "notified", "shipped", "received", "refunded", "closed"]


def test_received_quantity_above_approved_is_refused(app, users, signed):
    doc = signed(qty=5)
    _ship(users, doc)
    line = doc.lines[0]
    with pytest.raises(svc.InputErrors) as err:
        svc.record_receipt(users["assistant"], doc, {line.id: "6"}, today_local(), "多了一台")
    assert "超过批准退货数量 5" in str(err.value.errors[f"line_{line.id}"])
    db.session.rollback()
    assert doc.status == "shipped" and line.received_qty is None


def test_a_difference_must_be_explained(app, users, signed):
    doc = signed(qty=5)
    _ship(users, doc)
    line = doc.lines[0]
    with pytest.raises(svc.InputErrors) as err:
        svc.record_receipt(users["assistant"], doc, {line.id: "4"}, today_local(), "  ")
    assert "note" in err.value.errors
    with pytest.raises(svc.InputErrors) as err:
        svc.record_receipt(users["assistant"], doc, {line.id: "四"}, today_local(), "")
    assert "整数" in str(err.value.errors[f"line_{line.id}"])
    svc.record_receipt(users["assistant"], doc, {line.id: "4"}, today_local(), "一支在运输中破损，客户另行索赔")
    db.session.commit()
    assert doc.status == "received" and line.received_qty == 4
    assert svc.received_value(doc) == line.unit_price * 4


def test_refund_cannot_exceed_what_came_back(app, users, signed):
    doc = signed(qty=2, price="100.00")
    _ship(users, doc)
    svc.record_receipt(users["assistant"], doc, {doc.lines[0].id: 1}, today_local(), "少到一件")
    finance = users["finance"]
    with pytest.raises(svc.InputErrors) as err:
        svc.record_refund(finance, doc, "refund", Decimal("150.00"), today_local(), "")
    assert set(err.value.errors) == {"amount", "reference"}
    with pytest.raises(svc.InputErrors) as err:
        svc.record_refund(finance, doc, "refund", Decimal("50.00"), today_local() + timedelta(days=1), "V1")
    assert set(err.value.errors) == {"on"}
    svc.record_refund(finance, doc, "refund", Decimal("100.00"), today_local(), "V1")
    assert doc.status == "refunded"


def test_overdue_stages_show_on_the_assistants_desk(app, users, signed, login):
    doc = signed()
    assert svc.overdue_reason(doc) is None
    doc.signed_at = datetime.now(UTC) - timedelta(days=8)
    db.session.commit()
    assert "8 天仍未入库" in str(svc.overdue_reason(doc))
    page = login("assistant").get("/assistant/").get_data(as_text=True)
    assert "退货跟踪" in page and doc.number in page and "8 天仍未入库" in page
    # finance's desk lists the returns waiting for money, not the assistant's board
    assert doc.number not in login("finance").get("/finance/").get_data(as_text=True)


def test_finance_sees_a_return_from_the_refund_stage_on(app, users, login, make_return, signed):
    draft = make_return("rep1", submit=False)
    doc = signed(qty=3)
    finance = login("finance")

    def seen(ret) -> bool:
        listed = ret.number in finance.get("/returns/", headers={"HX-Request": "true"}).get_data(as_text=True)
        sheet = load_workbook(BytesIO(finance.get("/returns/?format=xlsx").data)).active
        exported = ret.number in [row[0] for row in sheet.iter_rows(values_only=True)]
        opened = finance.get(f"/returns/{ret.id}").status_code == 200
        assert listed == exported == opened, "the list, the export and the page agree on what finance sees"
        return opened

    assert not seen(draft)
    for stage in ("signed", "notified", "shipped"):
        assert doc.status == stage and not seen(doc)
        if stage == "signed":
            svc.notify_customer(users["assistant"], doc, "电话通知")
        elif stage == "notified":
            svc.record_shipment(users["assistant"], doc, "德邦物流", "DB1", today_local())
        else:
            svc.record_receipt(users["assistant"], doc, {doc.lines[0].id: 3}, today_local(), "")
        db.session.commit()
    assert doc.status == "received" and seen(doc)  # now it is finance's to refund
    assert finance.get(f"/returns/{doc.id}/refund").status_code == 200
    svc.record_refund(users["finance"], doc, "refund", doc.total_amount, today_local(), "V-1")
    svc.close(users["assistant"], doc)
    db.session.commit()
    assert seen(doc) and not seen(draft)


def test_the_tracking_cards_summary_is_the_board_cut_to_its_first_rows(app, users, signed):
    """tracking_summary (counted and ordered in SQL, the cards) says what tracking_board (every row) says."""
    from intranet.returns.cards import TRACKED

    docs = [signed() for _ in range(5)]
    now = datetime.now(UTC)
    # late and not late at the receipt stage, one day each side of the limit, and one at the refund stage
    for doc, days in zip(docs, (9, 8, 7, 1, 0), strict=True):
        doc.signed_at = now - timedelta(days=days, minutes=1)
    _ship(users, docs[4])
    svc.record_receipt(users["assistant"], docs[4], {docs[4].lines[0].id: 2}, today_local(), "")
    docs[4].received_at = now - timedelta(days=6, minutes=1)
    db.session.commit()
    for statuses in (TRACKED, ("received",)):
        board = svc.tracking_board(statuses, now)
        for shown in (2, 12):
            summary = svc.tracking_summary(statuses, shown, now)
            assert summary["total"] == len(board)
            assert summary["overdue"] == sum(1 for r in board if r["overdue"])
            assert [(r["doc"].id, str(r["overdue"])) for r in summary["rows"]] == \
                [(r["doc"].id, str(r["overdue"])) for r in board[:shown]]
    late = {r["doc"].id for r in svc.tracking_summary(TRACKED, 12, now)["rows"] if r["overdue"]}
    assert {docs[0].id, docs[1].id, docs[4].id} <= late and not {docs[2].id, docs[3].id} & late  # 9, 8 / 7, 1 days


@pytest.mark.postgres
def test_the_tracking_summary_runs_on_postgresql(pg_app):
    from intranet.demo_history import seed_history
    from intranet.returns.cards import TRACKED

    seed_history()
    db.session.commit()
    now = datetime.now(UTC)
    board, summary = svc.tracking_board(TRACKED, now), svc.tracking_summary(TRACKED, 12, now)
    assert summary["total"] == len(board) and summary["overdue"] == sum(1 for r in board if r["overdue"])
    assert [r["doc"].id for r in summary["rows"]] == [r["doc"].id for r in board[:12]]
