"""Flask CLI commands: seed-demo, seed-scale, audit-verify, spend-summary-rebuild."""

import click
from flask.cli import with_appcontext
from werkzeug.utils import import_string

from .extensions import db


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed a database that has no users yet.")
@with_appcontext
def seed_demo_command(if_empty):
    """Create the demo accounts, org, products and customers, and the past quarter (idempotent)."""
    from .clock import seeding_in_office_hours
    from .demo import seed
    from .demo_history import seed_history
    from .models import User

    if if_empty and db.session.query(User.id).first():
        click.echo("database has users: demo data not loaded")
        return

    with seeding_in_office_hours():  # a first start at night still shows a day's work done by day
        created = seed()
        created += seed_history()
        db.session.commit()
    click.echo(f"demo data: {created} new rows" if created else "demo data already present")


@click.command("seed-scale")
@click.option("--staff", default=200, show_default=True, help="People in the scale department (teams of ten).")
@click.option("--years", default=2.0, show_default=True, help="Years of history up to today.")
@click.option("--customers-per-person", default=25, show_default=True)
@with_appcontext
def seed_scale_command(staff, years, customers_per_person):
    """A department of realistic size on top of the demo, for `make bench` (idempotent)."""
    import time

    from .demo import seed
    from .demo_history import seed_history
    from .scale_data import build

    started = time.monotonic()
    seed()
    seed_history()
    counts = build(staff=staff, years=years, customers_per_person=customers_per_person)
    db.session.commit()
    if not counts:
        click.echo("scale data already present")
        return
    click.echo(", ".join(f"{table} {n}" for table, n in counts.items()))
    click.echo(f"scale data built in {time.monotonic() - started:.0f} s")


@click.command("audit-verify")
@with_appcontext
def audit_verify_command():
    """Walk the hash chain of the audit trail; exit 1 at the first broken link."""
    from .models import AuditEntry
    from .services.audit import verify

    broken = verify()
    total = db.session.query(AuditEntry).count()
    problems = [p for check in INTEGRITY_CHECKS for p in import_string(check)()]
    for problem in problems:
        click.echo(f"integrity check failed: {problem}", err=True)
    if broken is None and not problems:
        click.echo(f"audit trail OK: {total} entries, chain intact")
        return
    if broken is not None:
        click.echo(f"audit trail BROKEN at entry #{broken.id} ({broken.action}, {broken.at.isoformat()})", err=True)
    raise SystemExit(1)


@click.command("spend-summary-rebuild")
@with_appcontext
def spend_summary_rebuild_command():
    """Recompute the desks' spend summary from the claims and the ledger (after loading rows around the ORM)."""
    from .services.spend_summary import rebuild

    rows = rebuild()
    db.session.commit()
    click.echo(f"spend summary rebuilt: {rows} rows")


# Workflows that keep their own tamper evidence (cross-checked with the audit trail) add
# a function here returning a list of problems; audit-verify fails when any is reported.
INTEGRITY_CHECKS = ["intranet.services.ledger:verify", "intranet.services.receivables:verify"]


def register(app) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_scale_command)
    app.cli.add_command(audit_verify_command)
    app.cli.add_command(spend_summary_rebuild_command)
