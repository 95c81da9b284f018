"""Collection statistics and the commission statement (SPEC 2.10): seeded contracts, invoices and
confirmed allocations (with stamps near Shanghai midnight and a reversal confirmed a month later) on
top of the demo; every figure is recomputed here in plain Python from all the rows in the database,
independently of services/collection_statistics.py; commission rounding; per-user scope; the pages."""

import hashlib
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from intranet.clock import SHANGHAI, local_instant
from intranet.extensions import db
from intranet.models import Customer, Order, Region, Setting, Team, User
from intranet.models.contracts import Contract
from intranet.models.orders import Invoice
from intranet.models.receivables import IncomingPayment, PaymentAllocation
from intranet.services import collection_statistics as stats

TODAY = date(2026, 11, 18)  # the tests' clock
ALL_SEEING = ("manager", "director", "gm", "assistant", "finance")
_n = {"i": 0}


def _next() -> int:
    _n["i"] += 1
    return _n["i"]


def _customer(rep, region=None) -> Customer:
    c = Customer(name=f"统计客户{_next()}", owner_id=rep.id, region_id=region.id if region else rep.region_id,
                 stage="active")
    db.session.add(c)
    db.session.flush()
    return c


def _contract(rep, customer, amount, signed_on, status="signed"):
    db.session.add(Contract(number=f"TJ-{_next():05d}", customer_id=customer.id, rep_id=rep.id,
                            total_amount=Decimal(amount), status=status, signed_on=signed_on))


def _invoice(users, rep, customer, amount, day, hour=10, minute=0) -> Invoice:
    n = _next()
    order = Order(number=f"TJ{n:05d}", customer_id=customer.id, rep_id=rep.id, status="shipped", requested_on=day,
                  consignee="x", phone="1", address="a", created_by_id=users["assistant"].id, total=Decimal(amount))
    db.session.add(order)
    db.session.flush()
    inv = Invoice(number=f"TJI{n:05d}", order_id=order.id, status="checked", invoice_no=str(n), content="c",
                  amount=Decimal(amount), recipient="r", prepared_by_id=users["assistant"].id,
                  checked_at=local_instant(day, hour, minute), month=f"{day:%Y-%m}")
    db.session.add(inv)
    db.session.flush()
    return inv


def _allocation(users, inv, amount, confirmed, kind="allocation", reverses=None):
    """A confirmed allocation row written directly (stamp `confirmed` in Shanghai; None: unconfirmed)."""
    n = _next()
    pay = IncomingPayment(number=f"TJL{n:05d}", customer_id=inv.order.customer_id, payer="p", amount=Decimal("1e6"),
                          received_on=TODAY, registered_by_id=users["finance"].id)
    db.session.add(pay)
    db.session.flush()
    row = PaymentAllocation(payment_id=pay.id, seq=1, kind=kind, customer_id=pay.customer_id, invoice_id=inv.id,
                            amount=Decimal(amount), allocated_by_id=users["assistant"].id, prev_hash="0" * 64,
                            hash=hashlib.sha256(f"tj{n}".encode()).hexdigest(), reverses_id=reverses,
                            confirmed_by_id=users["finance"].id if confirmed else None,
                            confirmed_at=confirmed.astimezone(SHANGHAI) if confirmed else None)
    db.session.add(row)
    if confirmed:
        inv.collected += Decimal(amount)  # what receivables.confirm keeps on the invoice
    db.session.flush()
    return row


def _at(day, hour, minute=0):
    return local_instant(day, hour, minute)


def _user(role, username, **fields) -> User:
    user = User(username=username, name=username, email=f"{username}@test.local", role=role, **fields)
    user.set_password("demo12345")
    db.session.add(user)
    db.session.flush()
    return user


@pytest.fixture
def seeded(app, users):
    return seed(users)


def seed(users):
    """A second region, a new team (supervisor9 with rep8, rep9) and rows at the edges."""
    east = Region(name="统计测试区")
    db.session.add(east)
    db.session.flush()
    boss = _user("supervisor", "supervisor9")
    team = Team(name="统计测试组", supervisor_id=boss.id)
    db.session.add(team)
    db.session.flush()
    boss.team_id = team.id
    rep8 = _user("rep", "rep8", reports_to_id=boss.id, team_id=team.id, region_id=east.id)
    rep9 = _user("rep", "rep9", reports_to_id=boss.id, team_id=team.id, region_id=east.id)
    c8, c9, c1 = _customer(rep8), _customer(rep9), _customer(users["rep1"], region=east)
    _contract(rep8, c8, "120000.00", date(2026, 11, 1))
    _contract(rep8, c8, "3000.50", date(2026, 11, 30))  # in the month
    _contract(rep8, c8, "999.99", date(2026, 10, 31))  # last month: quarter and year only
    _contract(rep9, c9, "5000.00", date(2026, 11, 5), status="closed")
    _contract(rep9, c9, "7000.00", date(2026, 11, 6), status="draft")  # not signed: never counted
    # an invoice checked at 00:30 on 1 November (Shanghai) is November's, though still October in UTC
    i1 = _invoice(users, rep8, c8, "150000.00", date(2026, 11, 1), 0, 30)
    i2 = _invoice(users, rep8, c8, "800.00", date(2026, 10, 31), 23, 50)  # October's
    _invoice(users, rep9, c9, "2000.00", TODAY - timedelta(days=30))  # exactly 30 days: not overdue
    i4 = _invoice(users, rep9, c9, "3000.00", TODAY - timedelta(days=31))  # 31 days: overdue
    i5 = _invoice(users, users["rep1"], c1, "4567.89", date(2026, 9, 2))  # rep1, east region
    _allocation(users, i1, "110000.00", _at(date(2026, 11, 1), 0, 5))
    _allocation(users, i1, "3333.33", None)  # waiting for finance: not collected
    a2 = _allocation(users, i2, "800.00", _at(date(2026, 10, 31), 23, 59))  # October
    _allocation(users, i2, "-800.00", _at(date(2026, 11, 10), 9), kind="reversal", reverses=a2.id)  # November
    _allocation(users, i4, "1000.00", _at(date(2026, 11, 17), 16))
    _allocation(users, i5, "567.89", _at(date(2026, 9, 30), 12))
    db.session.commit()
    return {"rep8": rep8, "rep9": rep9, "boss": boss, "team": team, "region": east}


# ---- the independent computation ------------------------------------------------------------------

def _local_day(ts):
    return ts.astimezone(SHANGHAI).date()


def _visible(user, rep_id) -> bool:
    if user.role in ALL_SEEING:
        return True
    if user.role == "rep":
        return rep_id == user.id
    rep = db.session.get(User, rep_id)
    return rep_id == user.id or rep.reports_to_id == user.id


def expected(user, start: date, end: date, dim: str):
    """{key: (contracts, contract amount, invoiced, collected, overdue)} from every row, in Python."""
    asof = min(end, TODAY)
    out = defaultdict(lambda: [0, Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00")])
    users = {u.id: u for u in db.session.scalars(select(User))}
    customers = {c.id: c for c in db.session.scalars(select(Customer))}

    def key(rep_id, customer_id):
        return {"rep": rep_id, "team": users[rep_id].team_id, "region": customers[customer_id].region_id,
                "all": 0}[dim]

    for c in db.session.scalars(select(Contract)):
        if c.status in ("signed", "closed") and c.signed_on and start <= c.signed_on <= end and _visible(user, c.rep_id):
            out[key(c.rep_id, c.customer_id)][0] += 1
            out[key(c.rep_id, c.customer_id)][1] += c.total_amount
    invoices = {i.id: i for i in db.session.scalars(select(Invoice))}
    orders = {o.id: o for o in db.session.scalars(select(Order))}
    paid_by_asof = defaultdict(Decimal)
    for a in db.session.scalars(select(PaymentAllocation)):
        if a.confirmed_by_id is None:
            continue
        o = orders[invoices[a.invoice_id].order_id]
        if _local_day(a.confirmed_at) <= asof:
            paid_by_asof[a.invoice_id] += a.amount
        if start <= _local_day(a.confirmed_at) <= end and _visible(user, o.rep_id):
            out[key(o.rep_id, o.customer_id)][3] += a.amount
    for i in invoices.values():
        if i.status != "checked" or i.checked_at is None:
            continue
        o = orders[i.order_id]
        if not _visible(user, o.rep_id):
            continue
        day = _local_day(i.checked_at)
        if start <= day <= end:
            out[key(o.rep_id, o.customer_id)][2] += i.amount
        left = i.amount - paid_by_asof[i.id]
        if day <= asof and (asof - day).days > 30 and left > 0:
            out[key(o.rep_id, o.customer_id)][4] += left
    return {k: tuple(v) for k, v in out.items() if any(v)}


def _as_tuples(found: dict) -> dict:
    return {k: (f.contracts, f.contract_amount, f.invoiced, f.collected, f.overdue) for k, f in found.items()
            if any((f.contracts, f.contract_amount, f.invoiced, f.collected, f.overdue))}


SPANS = [("month", 2026, 11), ("month", 2026, 10), ("quarter", 2026, 4), ("quarter", 2026, 3), ("year", 2026, 1)]


def _check_every_figure(who):
    user = db.session.scalar(select(User).where(User.username == who))
    for kind, year, number in SPANS:
        s = stats.span(kind, year, number)
        for dim in ("rep", "team", "region"):
            assert _as_tuples(stats.figures(user, s, dim)) == expected(user, s.start, s.end, dim), (who, s, dim)
        assert _as_tuples(stats.figures(user, s)) == expected(user, s.start, s.end, "all"), (who, s)


@pytest.mark.parametrize("who", ["manager", "finance", "supervisor9", "rep8", "supervisor1"])
def test_every_figure_equals_the_independent_computation(app, users, seeded, who):
    _check_every_figure(who)


@pytest.mark.postgres
def test_the_same_on_postgresql(pg_app):
    seed({u.username: u for u in db.session.scalars(select(User))})
    for who in ("manager", "supervisor9", "rep8"):
        _check_every_figure(who)
    s = stats.span("month", 2026, 11)
    assert stats.statistics(db.session.scalar(select(User).where(User.username == "gm")), s).by_region


def test_the_seeded_edges_land_where_they_should(app, users, seeded):
    rep8, rep9 = seeded["rep8"], seeded["rep9"]
    nov = stats.figures(users["manager"], stats.span("month", 2026, 11), "rep")
    # 1 Nov 00:30 Shanghai is November's; the October allocation reversed in November counts −800 there
    assert (nov[rep8.id].contracts, nov[rep8.id].contract_amount) == (2, Decimal("123000.50"))
    assert nov[rep8.id].invoiced == Decimal("150000.00")
    assert nov[rep8.id].collected == Decimal("110000.00") - Decimal("800.00")
    assert nov[rep8.id].rate == Decimal("72.80")  # 109200 / 150000
    # rep9: the 30-day-old invoice is not overdue, the 31-day-old one is, less the 1000 confirmed
    assert nov[rep9.id].overdue == Decimal("2000.00")
    assert (nov[rep9.id].contracts, nov[rep9.id].invoiced) == (1, Decimal("0.00")) and nov[rep9.id].rate is None
    oct_ = stats.figures(users["manager"], stats.span("month", 2026, 10), "rep")
    assert oct_[rep8.id].invoiced == Decimal("800.00") and oct_[rep8.id].collected == Decimal("800.00")
    q4 = stats.figures(users["manager"], stats.span("quarter", 2026, 4), "rep")
    assert q4[rep8.id].contracts == 3 and q4[rep8.id].collected == Decimal("110000.00")
    region = stats.figures(users["manager"], stats.span("month", 2026, 11), "region")[seeded["region"].id]
    assert region.overdue == Decimal("2000.00") + Decimal("4000.00")  # rep9's and rep1's customer in the region


def test_spans():
    assert (stats.span("quarter", 2026, 4).start, stats.span("quarter", 2026, 4).end) == (date(2026, 10, 1),
                                                                                           date(2026, 12, 31))
    assert stats.span("month", 2028, 2).end == date(2028, 2, 29)
    assert stats.span("year", 2026).end == date(2026, 12, 31)
    assert stats.current_span("quarter", TODAY).number == 4


def test_scope_rep_own_line_supervisor_team_only(app, users, seeded):
    s = stats.span("month", 2026, 11)
    mine = stats.statistics(seeded["rep8"], s)
    assert [ln.key for ln in mine.by_rep] == [seeded["rep8"].id]
    assert mine.by_team == []
    assert mine.total.invoiced == Decimal("150000.00")
    team = stats.statistics(seeded["boss"], s)
    assert {ln.key for ln in team.by_rep} == {seeded["rep8"].id, seeded["rep9"].id}
    other = stats.statistics(users["supervisor1"], s)
    assert not {seeded["rep8"].id, seeded["rep9"].id} & {ln.key for ln in other.by_rep}
    everyone = stats.statistics(users["gm"], s)
    assert {seeded["rep8"].id, seeded["rep9"].id, users["rep1"].id} <= {ln.key for ln in everyone.by_rep}


def test_commission_rate_bands_rounding_and_totals(app, users, seeded):
    db.session.add_all([Setting(key="commission_band1_upto", value="1000.00"),
                        Setting(key="commission_rate1", value="1.25"),
                        Setting(key="commission_band2_upto", value="100000.00"),
                        Setting(key="commission_rate2", value="2.35"),
                        Setting(key="commission_rate3", value="3.15")])
    c = _customer(seeded["rep9"])
    inv = _invoice(users, seeded["rep9"], c, "10000.00", date(2026, 11, 2))
    _allocation(users, inv, "0.20", _at(date(2026, 11, 3), 9))  # 0.20 × 1.25 % = 0.0025 → 0.00
    _allocation(users, inv, "0.20", _at(date(2026, 11, 3), 9))  # 0.40 × 1.25 % = 0.005 → 0.01 (half up)
    db.session.commit()
    statement = stats.commission(users["manager"], 2026, 11)
    lines = {x.key: x for x in statement.lines}
    rep8, rep9 = lines[seeded["rep8"].id], lines[seeded["rep9"].id]
    assert (rep9.collected, rep9.rate, rep9.commission) == (Decimal("1000.40"), Decimal("2.35"), Decimal("23.51"))
    assert (rep8.collected, rep8.rate) == (Decimal("109200.00"), Decimal("3.15"))
    assert rep8.commission == (Decimal("109200.00") * Decimal("3.15") / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert stats.commission_of(Decimal("0.40"), Decimal("1.25")) == Decimal("0.01")
    assert stats.commission_of(Decimal("0.20"), Decimal("1.25")) == Decimal("0.00")
    assert stats.rate_for(Decimal("1000.00"), statement.bands) == Decimal("1.25")  # the bound is in the band
    assert stats.rate_for(Decimal("1000.01"), statement.bands) == Decimal("2.35")
    assert statement.commission == sum((x.commission for x in statement.lines), Decimal("0.00"))
    assert statement.collected == sum((x.collected for x in statement.lines), Decimal("0.00"))
    expected_total = expected(users["manager"], date(2026, 11, 1), date(2026, 11, 30), "all")[0][3]
    assert statement.collected == expected_total
    own = stats.commission(seeded["rep9"], 2026, 11)
    assert [x.key for x in own.lines] == [seeded["rep9"].id] and own.commission == Decimal("23.51")


def test_pages_and_exports_follow_the_scope(app, users, seeded, login):
    rep = login("rep1")
    page = rep.get("/receivables/statistics?kind=quarter&year=2026&number=4")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "回款统计" in html and "rep8" not in html and 'data-chart="bar"' in html
    boss = login("supervisor1")
    assert "rep8" not in boss.get("/receivables/statistics").get_data(as_text=True)
    manager = login("manager")
    assert "rep8" in manager.get("/receivables/statistics?kind=month&year=2026&number=11").get_data(as_text=True)
    export = manager.get("/receivables/statistics?kind=month&year=2026&number=11&format=xlsx")
    assert export.status_code == 200
    ws = load_workbook(BytesIO(export.data)).worksheets[0]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True)}
    assert rows["rep8"][4] == 150000  # invoiced column
    assert rows["合计"][5] == float(stats.statistics(users["manager"], stats.span("month", 2026, 11)).total.collected)
    sheet = manager.get("/receivables/commission?year=2026&month=11&format=xlsx")
    ws = load_workbook(BytesIO(sheet.data)).worksheets[0]
    assert "rep8" in {r[0] for r in ws.iter_rows(values_only=True)}
    mine = login("rep1").get("/receivables/commission?year=2026&month=11").get_data(as_text=True)
    assert "rep8" not in mine and "佣金" in mine
    assert login("rep1").get("/receivables/statistics?kind=bogus&year=x").status_code == 200
    fragment = manager.get("/receivables/statistics?kind=year&year=2026", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="report">') and "rep8" in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_the_report_center_type_gives_the_same_figures(app, users, seeded):
    from types import SimpleNamespace

    from intranet.services import reports
    from intranet.services.report_types import TYPES

    rtype = TYPES["collections"]
    rows = rtype.figures(SimpleNamespace(team_id=seeded["team"].id, rep_id=None), date(2026, 10, 1), date(2026, 12, 31))
    manager = users["manager"]
    want = expected(manager, date(2026, 10, 1), date(2026, 12, 31), "rep")
    assert {r["rep"] for r in rows} == {"rep8", "rep9"}
    for row in rows:
        rep = db.session.scalar(select(User).where(User.username == row["rep"]))
        contracts, amount, invoiced, collected, overdue = want.get(rep.id, (0, 0, 0, 0, 0))
        assert (row["contracts"], Decimal(row["contract_amount"]), Decimal(row["invoiced"]),
                Decimal(row["collected"]), Decimal(row["overdue"])) == (contracts, amount, invoiced, collected, overdue)
    rep8 = next(r for r in rows if r["rep"] == "rep8")
    assert reports.cell(rtype.column("rate"), rep8) == round(Decimal(110000) / Decimal(150800), 4)
    assert reports.totals(rtype, rows)["collected"] == str(sum(Decimal(r["collected"]) for r in rows))
