"""Run a Python script with the clock of the test that started it.

    python tests/clocked.py 2026-11-18T02:00:00+00:00 worker.py burst

The test process's clock is moved by time-machine (or by libfaketime for a whole run); a worker it
starts must agree with it, or jobs scheduled "in 5 minutes" and rows written "5 minutes ago" mean
different things on the two sides. The child travels to the given instant and ticks from there.
"""

import runpy
import sys
from datetime import datetime
from pathlib import Path

import time_machine

if __name__ == "__main__":
    instant, script, *args = sys.argv[1:]
    sys.argv = [script, *args]
    sys.path.insert(0, str(Path(script).resolve().parent))
    with time_machine.travel(datetime.fromisoformat(instant), tick=True):
        runpy.run_path(script, run_name="__main__")
