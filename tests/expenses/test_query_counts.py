"""Lists and the statement run a constant number of queries, however many rows they show."""

from decimal import Decimal

import expense_helpers as h
from statements import count_queries

from intranet.extensions import db
from intranet.services import ledger


def _get(client, url) -> int:
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_statement_and_lists_do_not_grow_with_rows(login, users):
    assistant, finance = users["assistant"], users["finance"]
    box = ledger.find_account(assistant)
    clients = {"finance": login("finance"), "manager": login("manager")}
    urls = [("finance", "/ledger/"), ("finance", "/ledger/confirm"), ("manager", "/expenses/"),
            ("manager", "/expenses/advances"), ("manager", "/expenses/promotions"), ("manager", "/expenses/reports")]
    def add(n):
        for i in range(n):
            entry = ledger.disburse(assistant, box, Decimal("1.00"), "courier", f"快递 {i}")
            ledger.receipts.attach(assistant, "ledger_entry", entry.id, "r.png", h.PNG)
            if i % 2:
                ledger.confirm(finance, entry)
            h.approved_claim(users, ("rep1", "rep2")[i % 2], "10.00")
        db.session.commit()

    add(25)  # more than a page everywhere (so the pager's count query is there both times)
    before = {url: _get(clients[who], url) for who, url in urls}
    add(25)
    after = {url: _get(clients[who], url) for who, url in urls}
    assert after == before, (before, after)
    print("queries per page:", after)
