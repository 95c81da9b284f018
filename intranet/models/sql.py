"""SQL expressions the two databases spell differently, so reports can group in the database.

`local_month(ts)`: "YYYY-MM" of a UTC timestamp in Asia/Shanghai (UTC+8, no daylight saving since
1991, so a fixed offset is exact). `date_month(d)`: "YYYY-MM" of a date column.
`local_days_since(ts, day)`: whole days from the Shanghai date of a timestamp to `day`.
`money_sum(col)`: the exact sum of a Money column; SQLite keeps NUMERIC as a double, so it sums
whole fen there and divides once (exact up to 2^53 fen); PostgreSQL's numeric is exact already.
"""

from sqlalchemy import Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from .types import Money


class local_month(FunctionElement):  # noqa: N801 - used like a SQL function
    type = String()
    inherit_cache = True


class date_month(FunctionElement):  # noqa: N801
    type = String()
    inherit_cache = True


class money_sum(FunctionElement):  # noqa: N801
    type = Money()  # Decimal with two places in Python, whatever the database returns
    inherit_cache = True


@compiles(local_month)
def _local_month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(local_month, "postgresql")
def _local_month_pg(element, compiler, **kw):
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"


@compiles(date_month)
def _date_month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(date_month, "postgresql")
def _date_month_pg(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@compiles(money_sum)
def _money_sum_sqlite(element, compiler, **kw):
    return f"(SUM(CAST(ROUND(({compiler.process(element.clauses, **kw)}) * 100) AS INTEGER)) / 100.0)"


@compiles(money_sum, "postgresql")
def _money_sum_pg(element, compiler, **kw):
    return f"SUM({compiler.process(element.clauses, **kw)})"


class local_days_since(FunctionElement):  # noqa: N801
    """Whole days from the Asia/Shanghai date of a UTC timestamp to a given date: days_since(ts, asof)."""

    type = Integer()
    inherit_cache = True


@compiles(local_days_since)
def _local_days_since_sqlite(element, compiler, **kw):
    ts, asof = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({asof}) - julianday(date({ts}, '+8 hours')) AS INTEGER)"


@compiles(local_days_since, "postgresql")
def _local_days_since_pg(element, compiler, **kw):
    ts, asof = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({asof} AS date) - CAST(({ts}) AT TIME ZONE 'Asia/Shanghai' AS date))"
