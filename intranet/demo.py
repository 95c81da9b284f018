"""Demo data: two teams in two regions, every role, products. Idempotent."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from flask import g
from sqlalchemy import delete, or_, select

from .clock import SHANGHAI, is_workday, local_instant, now_utc, today_local
from .extensions import db
from .models import Email, Product, Region, Team, Todo, User

PASSWORD = "demo123"

# username, name, role, reports_to, team, region
PEOPLE = [
    ("gm", "王建国", "gm", None, None, None),
    ("director", "李志强", "director", "gm", None, None),
    ("manager", "张伟", "manager", "director", None, None),
    ("supervisor1", "刘洋", "supervisor", "manager", "华东一组", "华东区"),
    ("supervisor2", "陈静", "supervisor", "manager", "华南一组", "华南区"),
    ("assistant", "赵敏", "assistant", "manager", None, None),
    ("finance", "孙丽", "finance", "gm", None, None),
    ("rep1", "周杰", "rep", "supervisor1", "华东一组", "华东区"),
    ("rep2", "吴磊", "rep", "supervisor1", "华东一组", "华东区"),
    ("rep3", "郑爽", "rep", "supervisor2", "华南一组", "华南区"),
    ("rep4", "冯刚", "rep", "supervisor2", "华南一组", "华南区"),
]

PRODUCTS = [
    ("RO-500", "反渗透纯水设备", "RO-500L/H", "台", "28600.00"),
    ("RO-1000", "反渗透纯水设备", "RO-1000L/H", "台", "45800.00"),
    ("UF-200", "超滤净水机组", "UF-200", "台", "12800.00"),
    ("SF-10", "石英砂过滤器", "Φ600×1800", "台", "6800.00"),
    ("AC-10", "活性炭过滤器", "Φ600×1800", "台", "7200.00"),
    ("SOFT-2", "全自动软水器", "双罐 2T/H", "台", "9600.00"),
    ("MEM-4040", "反渗透膜元件", "4040", "支", "1350.00"),
    ("PP-20", "PP 棉滤芯", "20英寸 5μm", "支", "18.50"),
    ("UV-30", "紫外线杀菌器", "30T/H", "台", "4300.00"),
    ("DOS-1", "阻垢剂加药装置", "100L", "套", "3150.00"),
]


def _get_or_create(model, defaults=None, **keys):
    row = db.session.scalar(select(model).filter_by(**keys))
    if row:
        return row, False
    row = model(**keys, **(defaults or {}))
    db.session.add(row)
    db.session.flush()
    return row, True


IMAGES = Path(__file__).resolve().parent / "demo_images"


def demo_image(name: str) -> bytes:
    """A small vendored PNG: a photographed receipt (receipt-train/meal/courier/print) or goods (photo-goods)."""
    return (IMAGES / f"{name}.png").read_bytes()


def working_day_back(days: int, start: date | None = None) -> date:
    """The working day `days` calendar days before `start` (today), moving further back off a holiday."""
    day = (start or today_local()) - timedelta(days=days)
    while not is_workday(day):
        day -= timedelta(days=1)
    return day


def working_days(first: date, last: date) -> list[date]:
    """The working days from `first` to `last`, both included (public holidays and 调休 from the clock)."""
    days, day = [], first
    while day <= last:
        if is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def next_working_day(day: date, count: int = 1) -> date:
    """The `count`-th working day after `day`."""
    for _ in range(count):
        day += timedelta(days=1)
        while not is_workday(day):
            day += timedelta(days=1)
    return day


def spread(days: list[date], count: int) -> list[date]:
    """`count` days spread evenly over `days` (all of them when there are fewer), in whole numbers."""
    if len(days) <= count:
        return days
    return [days[(2 * i + 1) * len(days) // (2 * count)] for i in range(count)]


def at_work(days_ago: int, hour: int, minute: int = 0) -> datetime:
    """A UTC instant in office hours (Shanghai) on a working day about `days_ago` days back, never in the future.

    People sign and file during the working day: a demo stamp is never 23:50 or a Sunday.
    """
    day = working_day_back(days_ago)
    stamp = local_instant(day, hour, minute)
    while stamp > now_utc():
        day = working_day_back(1, day)
        stamp = local_instant(day, hour, minute)
    return stamp


def office_later(stamp: datetime, minutes: int) -> datetime:
    """`minutes` of office time after `stamp`: past 17:30 it carries on the next working day from 9:00."""
    local = (stamp + timedelta(minutes=minutes)).astimezone(SHANGHAI)
    if local.hour * 60 + local.minute > 17 * 60 + 30:
        return local_instant(next_working_day(local.date()), 9, local.minute % 50)
    return local.astimezone(UTC)


def restamp_approval(req, start: datetime, gap: int = 95) -> datetime:
    """Move a request made just now to the office hours it happened in: its decisions `gap` minutes of
    office time apart from `start`, the request's stamps after them. Returns the last decision's time."""
    at = start
    for i, decision in enumerate(sorted(req.decisions, key=lambda d: d.id)):
        at = start if i == 0 else office_later(at, gap + 7 * (decision.id % 5))
        decision.at = at
        if decision.action == "submit":
            req.submitted_at = at
        req.step_started_at = at
    if req.status != "pending":
        req.finished_at = at
    return at


def forget_notices(prefixes: list[str]) -> None:
    """The demo's emails and to-dos were never real occasions: remove them (and never enqueue them)."""
    if not prefixes:
        return
    match = or_(*[Email.key.startswith(p) for p in prefixes])
    ids = set(db.session.scalars(select(Email.id).where(match)))
    db.session.execute(delete(Email).where(match))
    db.session.execute(delete(Todo).where(or_(*[Todo.key.startswith(p) for p in prefixes])))
    pending = g.get("emails_to_enqueue")
    if pending:
        pending[:] = [i for i in pending if i not in ids]


def seed() -> int:
    """Returns how many rows were created (0 when the demo data is already there)."""
    created = 0
    regions = {}
    for name in ("华东区", "华南区"):
        regions[name], new = _get_or_create(Region, name=name)
        created += new
    users: dict[str, User] = {}
    teams: dict[str, Team] = {}
    probe = User()
    probe.set_password(PASSWORD)  # one KDF run shared by every demo account (same password)
    for username, name, role, boss, team, region in PEOPLE:
        user = db.session.scalar(select(User).filter_by(username=username))
        if user is None:
            user = User(username=username, name=name, role=role, email=f"{username}@demo.local",
                        password_hash=probe.password_hash)
            db.session.add(user)
            created += 1
        user.reports_to = users.get(boss)
        if team:
            if team not in teams:
                teams[team], new = _get_or_create(Team, name=team)
                created += new
            user.team = teams[team]
        user.region = regions.get(region)
        users[username] = user
        db.session.flush()
        if role == "supervisor":
            teams[team].supervisor = user
    for code, name, spec, unit, price in PRODUCTS:
        _, new = _get_or_create(Product, code=code,
                                defaults={"name": name, "spec": spec, "unit": unit, "list_price": Decimal(price)})
        created += new
    for hook in SEED_HOOKS:
        created += hook(users) or 0
    db.session.flush()
    return created


# Workflows add their own demo rows (customers, plans, ...) by appending a function(users) -> int.
SEED_HOOKS: list = []
