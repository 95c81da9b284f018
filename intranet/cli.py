"""Flask CLI commands: seed-demo, audit-verify."""

import click
from flask.cli import with_appcontext

from .extensions import db


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed a database that has no users yet.")
@with_appcontext
def seed_demo_command(if_empty):
    """Create the demo accounts, org, products and customers (idempotent)."""
    from .demo import seed
    from .models import User

    if if_empty and db.session.query(User.id).first():
        click.echo("database has users: demo data not loaded")
        return

    created = seed()
    db.session.commit()
    click.echo(f"demo data: {created} new rows" if created else "demo data already present")


@click.command("audit-verify")
@with_appcontext
def audit_verify_command():
    """Walk the hash chain of the audit trail; exit 1 at the first broken link."""
    from .models import AuditEntry
    from .services.audit import verify

    broken = verify()
    total = db.session.query(AuditEntry).count()
    if broken is None:
        click.echo(f"audit trail OK: {total} entries, chain intact")
        return
    click.echo(f"audit trail BROKEN at entry #{broken.id} ({broken.action}, {broken.at.isoformat()})", err=True)
    raise SystemExit(1)


def register(app) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(audit_verify_command)
