"""`flask seed-demo` stamps "just now" in office hours: a first start at 23:50 or on a Sunday does not
show the gm signing at midnight (issue 13, the demo). The web and the worker never move the clock."""

from datetime import datetime, time

import pytest
import time_machine

from intranet.clock import (
    SHANGHAI,
    is_workday,
    last_office_moment,
    now_local,
    now_utc,
    seeding_in_office_hours,
)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(("wall", "stamped"), [
    ("2026-11-18 10:00", "2026-11-18 10:00"),  # a Wednesday in office hours: unchanged
    ("2026-11-18 23:50", "2026-11-18 17:20"),  # that evening: the end of the same working day
    ("2026-11-18 06:30", "2026-11-17 17:20"),  # before work: the day before
    ("2026-11-22 15:00", "2026-11-20 17:20"),  # a Sunday: Friday
    ("2026-10-05 11:00", "2026-09-30 17:20"),  # the National Day holiday: the last working day before it
    ("2026-09-28 11:00", "2026-09-28 11:00"),  # a Monday at work
])
def test_last_office_moment(wall, stamped):
    assert last_office_moment(_at(wall)).astimezone(SHANGHAI) == _at(stamped)


def test_seeding_moves_the_clock_only_inside_the_block_and_keeps_it_ticking(frozen_clock):
    with time_machine.travel(_at("2026-11-22 21:05"), tick=True):
        before = now_utc()
        with seeding_in_office_hours():
            inside = now_local()
            assert inside.date().isoformat() == "2026-11-20" and (inside.hour, inside.minute) == (17, 20)
            assert now_local() >= inside
        assert now_utc() >= before and now_local().date().isoformat() == "2026-11-22"


def test_the_demo_seeded_at_night_stamps_every_decision_in_office_hours(tmp_path, redis_url):
    """A first `make run` at 23:50: the gm's and everybody's decisions, the requests and the notices
    read "during the day", on a working day (the history parts do so on their own; the base demo's
    "just now" rows are the ones this moves)."""
    from conftest import _make_app
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.models import ApprovalDecision, ApprovalRequest
    from intranet.models.office import Notice

    app = _make_app(f"sqlite:///{tmp_path / 'night.db'}", redis_url, tmp_path)
    with app.app_context(), time_machine.travel(_at("2026-11-18 23:50"), tick=True):
        db.create_all()
        result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
        assert result.exit_code == 0, result.output
        stamps = [*db.session.scalars(select(ApprovalDecision.at)), *db.session.scalars(select(ApprovalRequest.submitted_at)),
                  *db.session.scalars(select(Notice.issued_at))]
        assert len(stamps) > 100
        late = [s.astimezone(SHANGHAI) for s in stamps
                if not (is_workday(s.astimezone(SHANGHAI).date()) and time(8, 0) <= s.astimezone(SHANGHAI).time() <= time(18, 30))]
        assert not late, late[:5]
        assert now_local().hour == 23  # and the clock is back
        db.session.remove()
        db.engine.dispose()
