"""Domain services: every business rule lives here, once.

Functions take the acting user explicitly, raise DomainError with a
translatable message, flush() but never commit(): the request (or job) commits once.
"""

# Registered with the package, not with whichever service a process happens to import first: its flush
# listener keeps the desks' spend summary right for every change to claims and petty cash.
from . import spend_summary  # noqa: E402, F401
