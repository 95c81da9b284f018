#!/usr/bin/env bash
# `make test`: lint, then the whole suite on SQLite and PostgreSQL, two processes in parallel.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
mkdir -p test-output
ruff check .
if grep -rnoE '(src|href)="(https?:)?//' templates; then echo "CDN URL in templates" >&2; exit 1; fi
pytest -n "${TEST_PROCESSES:-2}" --dist loadgroup "$@"
