"""The 一览表 and the figures pages: rep1 sees only rep1's line (page and Excel export), the query count
does not grow with the years of orders, drill-down stays in scope, the below-target flag fires once."""

from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from sales_seed import FROZEN, seed_sales
from sqlalchemy import func, select
from statements import count_queries

from intranet.extensions import db
from intranet.models import Todo
from intranet.services import sales_figures as fig
from intranet.services import targets as svc


def test_rep1_sees_only_own_line_on_page_and_export(users, login):
    seed_sales(users, years=(2026,), every=4)
    db.session.commit()
    page = login("rep1").get("/targets/overview").get_data(as_text=True)
    assert users["rep1"].name in page and users["rep2"].name not in page and users["rep3"].name not in page
    assert "统计口径" in page
    book = load_workbook(BytesIO(login("rep1").get("/targets/overview?format=xlsx").data))
    names = {row[2] for row in book.active.iter_rows(min_row=2, values_only=True)}
    assert users["rep1"].name in names and users["rep2"].name not in names
    boss = login("supervisor1").get("/targets/figures?by=rep&period=ytd").get_data(as_text=True)
    assert users["rep2"].name in boss and users["rep3"].name not in boss
    other = login("rep1").get(f"/targets/drill?start=2026-01-01&end=2026-11-18&rep_id={users['rep3'].id}")
    assert "T2026" not in other.get_data(as_text=True)
    own = login("rep1").get(f"/targets/drill?start=2026-01-01&end=2026-11-18&rep_id={users['rep1'].id}")
    assert "T2026" in own.get_data(as_text=True)


def test_the_page_shows_a_page_of_reps_and_the_export_all(app, users, login):
    seed_sales(users, years=(2026,), every=4)
    db.session.commit()
    everyone = [line["name"] for line in fig.overview(users["manager"], 2026, 11, FROZEN)["reps"]]
    assert len(everyone) >= 3
    app.config["PAGE_SIZE"] = 2
    manager = login("manager")
    first = manager.get("/targets/overview?month=2026-11").get_data(as_text=True)
    second = manager.get("/targets/overview?month=2026-11&page=2").get_data(as_text=True)
    section = lambda html: html[html.index("按业务员"):html.index("本年主要客户")]  # noqa: E731
    assert [n for n in everyone if n in section(first)] == everyone[:2]
    assert [n for n in everyone if n in section(second)] == everyone[2:4]
    assert "下一页" in first
    book = load_workbook(BytesIO(manager.get("/targets/overview?month=2026-11&format=xlsx").data))
    reps = [row[2] for row in book.active.iter_rows(min_row=2, values_only=True) if row[0] == "业务员"]
    assert reps == everyone


def _overview_queries(user) -> int:
    db.session.expire_all()
    with count_queries() as statements:
        fig.overview(user, 2026, 11, FROZEN)
    return len(statements)


def test_overview_answers_in_the_same_bounded_number_of_queries_for_one_and_four_years(users):
    seed_sales(users, years=(2026,), every=6, seed=1)
    one = _overview_queries(users["manager"])
    seed_sales(users, years=(2023, 2024, 2025), every=6, seed=2)
    four = _overview_queries(users["manager"])
    assert one == four and four <= 60


def test_two_months_below_target_flag_fires_once_per_occasion(users):
    # the demo's approved target for this year: nobody sold anything in September and October
    assert svc.effective_target(FROZEN.year) is not None
    sent = svc.flag_below_target(FROZEN)
    assert sent == 4  # four reps, one manager
    assert svc.flag_below_target(FROZEN) == 0
    assert svc.flag_below_target(date(2026, 12, 3)) == 0  # November too: the same run of months
    keys = list(db.session.scalars(select(Todo.key).where(Todo.key.startswith("sales-below:"))))
    assert len(keys) == 4 and db.session.scalar(select(func.count(Todo.id)).where(
        Todo.user_id == users["manager"].id, Todo.key.startswith("sales-below:"))) == 4
