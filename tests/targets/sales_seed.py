"""Years of orders written straight into the tables (fast), and the figures recomputed in plain Python
from the rows themselves, independently of services/sales_figures.py."""

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from intranet.clock import SHANGHAI, local_instant
from intranet.extensions import db
from intranet.models import Customer, Order, OrderLine, PaymentNotice, Product, User
from intranet.models.orders import Invoice, InvoiceLine, Shipment, ShipmentLine

FROZEN = date(2026, 11, 18)  # the tests' clock (tests/conftest.py DEFAULT_INSTANT), a Wednesday


def _without_demo_targets() -> None:
    """The demo approves this year's target; these tests set their own (or none) and compare with it."""
    from intranet.models.targets import SalesTarget, SalesTargetLine

    db.session.execute(db.delete(SalesTargetLine))
    db.session.execute(db.delete(SalesTarget))


def seed_sales(users, years=(2025, 2026), until=FROZEN, every=3, seed=20) -> int:
    """An order every `every` days for each year up to `until`; some cancelled, most shipped (some
    shipments unchecked), invoices checked at times near Shanghai midnight, payments confirmed."""
    rnd = random.Random(seed)
    _without_demo_targets()
    reps = [users[f"rep{i}"] for i in range(1, 5)]
    products = list(db.session.scalars(select(Product).order_by(Product.id)))
    customers = {r.id: list(db.session.scalars(select(Customer).where(Customer.owner_id == r.id))) for r in reps}
    for n, rep in enumerate(reps):  # one more customer each, in the other region: region ≠ team
        other = users["rep3"].region if rep.region_id == users["rep1"].region_id else users["rep1"].region
        extra = Customer(name=f"测试客户{n}", owner=rep, region=other, stage="active")
        db.session.add(extra)
        customers[rep.id].append(extra)
    db.session.flush()
    assistant = users["assistant"]
    count = 0
    for year in years:
        day = date(year, 1, 1) + timedelta(days=rnd.randrange(every))
        while day <= min(until, date(year, 12, 31)):
            count += 1
            _order(rnd, f"{year}{count:05d}", day, rnd.choice(reps), customers, products, assistant, until)
            day += timedelta(days=every)
    db.session.flush()
    return count


def _order(rnd, number, day, rep, customers, products, assistant, until):
    customer = rnd.choice(customers[rep.id])
    status = rnd.choices(["entered", "shipped", "cancelled", "requested"], [3, 8, 1, 1])[0]
    order = Order(number=f"T{number}", customer_id=customer.id, rep_id=rep.id, status=status, requested_on=day,
                  consignee="x", phone="1", address="a", created_by_id=assistant.id,
                  entered_on=day if status != "requested" else None)
    total = Decimal("0.00")
    for product in rnd.sample(products, rnd.randint(1, 2)):
        qty = rnd.randint(1, 9)
        price = (product.list_price * (100 - rnd.randint(0, 10)) / 100).quantize(Decimal("0.01"))
        line = OrderLine(product_id=product.id, quantity=qty, unit_price=price, list_price=product.list_price,
                         amount=price * qty)
        order.lines.append(line)
        total += line.amount
    order.total = total
    db.session.add(order)
    db.session.flush()
    if status == "shipped":
        shipped_on = min(day + timedelta(days=rnd.randint(0, 4)), until)
        checked = rnd.random() < 0.9
        ship = Shipment(number=f"S{number}", order_id=order.id, status="checked" if checked else "to_check",
                        carrier="c", method="logistics", waybill="w", pieces=1, prepared_by_id=assistant.id,
                        shipped_on=shipped_on if checked else None)
        for line in order.lines:
            ship.lines.append(ShipmentLine(order_line_id=line.id, product_id=line.product_id, quantity=line.quantity))
            if checked:
                line.shipped_qty = line.quantity
        db.session.add(ship)
        if checked and rnd.random() < 0.8:
            on = min(shipped_on + timedelta(days=rnd.randint(0, 6)), until)
            # 00:30 Shanghai is the previous day in UTC: the day must be read in Shanghai time
            stamp = local_instant(on, rnd.choice([0, 10, 23]), 30)
            invoice = Invoice(number=f"I{number}", order_id=order.id, status="checked", invoice_no="1", content="c",
                              amount=total, recipient="r", prepared_by_id=assistant.id, checked_at=stamp,
                              month=f"{on:%Y-%m}")
            for line in order.lines:
                invoice.lines.append(InvoiceLine(order_line_id=line.id, product_id=line.product_id,
                                                 quantity=line.quantity, unit_price=line.unit_price,
                                                 amount=line.amount))
                line.invoiced_qty = line.quantity
            db.session.add(invoice)
    if status != "requested" and rnd.random() < 0.85:
        confirmed = min(day + timedelta(days=rnd.randint(0, 3)), until)
        db.session.add(PaymentNotice(number=f"P{number}", customer_id=customer.id, rep_id=rep.id,
                                     amount=total, paid_on=confirmed, status="confirmed",
                                     registered_by_id=assistant.id, confirmed_on=confirmed))


# ---- the independent computation ---------------------------------------------------------------

def facts(basis: str) -> list[tuple]:
    """(day, rep_id, customer_id, product_id, quantity, amount) for every row of the database, in Python."""
    out = []
    if basis == "entered":
        for order in db.session.scalars(select(Order)):
            if order.status in ("entered", "partly_shipped", "shipped"):
                out += [(order.entered_on, order.rep_id, order.customer_id, ln.product_id, ln.quantity, ln.amount)
                        for ln in order.lines]
    elif basis == "shipped":
        for ship in db.session.scalars(select(Shipment)):
            if ship.status == "checked" and ship.return_id is None:
                out += [(ship.shipped_on, ship.order.rep_id, ship.order.customer_id, ln.product_id, ln.quantity,
                         ln.quantity * ln.order_line.unit_price) for ln in ship.lines]
    elif basis == "invoiced":
        for inv in db.session.scalars(select(Invoice)):
            if inv.status == "checked":
                day = inv.checked_at.astimezone(SHANGHAI).date()
                out += [(day, inv.order.rep_id, inv.order.customer_id, ln.product_id, ln.quantity, ln.amount)
                        for ln in inv.lines]
    else:
        for pay in db.session.scalars(select(PaymentNotice)):
            if pay.status == "confirmed":
                out.append((pay.confirmed_on, pay.rep_id, pay.customer_id, None, 0, pay.amount))
    return out


def expected(rows, start: date, end: date, by: str) -> dict:
    """{key: (amount, quantity)} of the facts between start and end (inclusive)."""
    team = {u.id: u.team_id for u in db.session.scalars(select(User))}
    region = {c.id: c.region_id for c in db.session.scalars(select(Customer))}
    keyf = {"rep": lambda r: r[1], "team": lambda r: team[r[1]], "region": lambda r: region[r[2]],
            "product": lambda r: r[3], "customer": lambda r: r[2]}[by]
    sums = defaultdict(lambda: [Decimal("0.00"), 0])
    for row in rows:
        if start <= row[0] <= end:
            sums[keyf(row)][0] += row[5]
            sums[keyf(row)][1] += row[4]
    return {k: (v[0], v[1]) for k, v in sums.items()}
