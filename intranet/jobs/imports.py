"""Large Excel imports: the worker checks the stored sheet, then saves the confirmed rows."""

from ..services import customer_imports
from .runtime import in_app_context


@in_app_context
def check_customer_import(batch_id: int) -> None:
    customer_imports.check(batch_id)


@in_app_context
def run_customer_import(batch_id: int) -> None:
    customer_imports.run(batch_id)
