"""The input tests reuse the expenses tests' helpers for making claims through the services."""

import sys
from pathlib import Path

EXPENSES = str(Path(__file__).resolve().parents[1] / "expenses")
if EXPENSES not in sys.path:
    sys.path.append(EXPENSES)
