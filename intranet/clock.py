"""The one clock of the business.

Every business date (the month of a plan, a report deadline, the settlement month, "overdue",
reminders) is computed here, in Asia/Shanghai, from the application server's clock — never from
the browser and never from the database's own ``now()``. Tests move this clock with
``time-machine``; nothing else in the code reads the time.

Working days follow the State Council's public holidays and adjusted working weekends (调休) as
published in the maintained ``chinese-calendar`` package. For a year the package does not cover
yet (the notice comes out each November), Monday to Friday count as working days until the
package is updated.
"""

from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


# Zero everywhere but inside `seeding_in_office_hours` (the seed-demo command's own process).
_offset = timedelta(0)


def now_utc() -> datetime:
    """The instant, timezone-aware in UTC (what timestamps are stored as)."""
    return datetime.now(UTC) + _offset


def now_local() -> datetime:
    """The instant in Asia/Shanghai (what staff read on the wall clock)."""
    return now_utc().astimezone(SHANGHAI)


def today_local() -> date:
    """Today's business date in Asia/Shanghai."""
    return now_local().date()


def month_of(day: date) -> str:
    """The period a date belongs to, as "YYYY-MM"."""
    return f"{day:%Y-%m}"


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a "YYYY-MM" month."""
    first = date.fromisoformat(f"{month}-01")
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def add_months(month: str, count: int) -> str:
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1 + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def holiday_data_covers(day: date) -> bool:
    """Whether the public-holiday calendar knows this year (else weekdays stand in for workdays)."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_workday(day: date) -> bool:
    """A working day: public holidays are off, adjusted weekends (调休) are on."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def local_instant(day: date, hour: int, minute: int = 0) -> datetime:
    """That wall-clock time in Shanghai on `day`, as a UTC instant (for seeded or computed stamps)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


OFFICE_OPENS, OFFICE_CLOSES, LAST_STAMP = time(9, 0), time(17, 30), time(17, 20)


def last_office_moment(instant: datetime) -> datetime:
    """`instant` if it falls in office hours on a working day, else 17:20 of the last working day before it."""
    local = instant.astimezone(SHANGHAI)
    if is_workday(local.date()) and OFFICE_OPENS <= local.time() <= OFFICE_CLOSES:
        return instant
    day = local.date() if is_workday(local.date()) and local.time() > OFFICE_CLOSES else local.date() - timedelta(1)
    while not is_workday(day):
        day -= timedelta(1)
    return local_instant(day, LAST_STAMP.hour, LAST_STAMP.minute)


@contextmanager
def seeding_in_office_hours():
    """Run a block as if it were the last office-hour moment: the demo seeded at 23:50 or on a Sunday
    stamps what "just happened" (the gm's signature, today's notices) at 17:20 of the last working day,
    as the people would have. Only `flask seed-demo` uses it, in a process of its own; the web and the
    worker never move the clock."""
    global _offset
    real = datetime.now(UTC)
    _offset = last_office_moment(real) - real
    try:
        yield
    finally:
        _offset = timedelta(0)
