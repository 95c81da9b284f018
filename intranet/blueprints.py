"""Blueprint registry: role desks, shared pages, and each workflow's cards."""

from flask import Flask

ROLE_PACKAGES = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")


def register_all(app: Flask) -> None:
    import importlib

    from . import cards  # noqa: F401  (registers the foundation's desk cards)
    from .approvals import bp as approvals_bp
    from .attendance import bp as attendance_bp
    from .contracts import bp as contracts_bp
    from .customers import bp as customers_bp
    from .daily import bp as daily_bp
    from .enquiries import bp as enquiries_bp
    from .expenses import bp as expenses_bp
    from .health import bp as health_bp
    from .ledger import bp as ledger_bp
    from .office import bp as office_bp
    from .orders import bp as orders_bp
    from .org import bp as org_bp
    from .receivables import bp as receivables_bp
    from .reports import bp as reports_bp
    from .returns import bp as returns_bp
    from .samples import bp as samples_bp
    from .targets import bp as targets_bp
    from .todos import bp as todos_bp
    from .visits import bp as visits_bp

    for role in ROLE_PACKAGES:
        app.register_blueprint(importlib.import_module(f"intranet.{role}").bp)
    app.register_blueprint(org_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(customers_bp)
    app.register_blueprint(enquiries_bp)
    app.register_blueprint(visits_bp)
    app.register_blueprint(approvals_bp)
    app.register_blueprint(returns_bp)
    app.register_blueprint(contracts_bp)
    app.register_blueprint(expenses_bp)
    app.register_blueprint(ledger_bp)
    app.register_blueprint(todos_bp)
    app.register_blueprint(attendance_bp)
    app.register_blueprint(samples_bp)
    app.register_blueprint(orders_bp)
    app.register_blueprint(daily_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(office_bp)
    app.register_blueprint(receivables_bp)
    app.register_blueprint(targets_bp)
