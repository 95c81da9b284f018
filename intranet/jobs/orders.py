"""Daily order jobs: last month's invoicing summaries for the region supervisors (built on the 1st,
to be confirmed by the 5th; idempotent per month and region)."""

from ..services import invoices
from .runtime import in_app_context, periodic


@in_app_context
@periodic("invoice_summaries")
def build_invoice_summaries(month: str | None = None) -> int:
    from ..web.transaction import commit

    made = invoices.build_summaries(month)
    commit()
    return len(made)
