# The two commands of the README: `make run` and `make test`. Both do all set-up.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
MO := intranet/translations/en/LC_MESSAGES/messages.mo

.PHONY: run test lint install translations browser clean bench

run: install
	bash scripts/run.sh

test: install browser
	bash scripts/test.sh

install: $(STAMP) $(MO)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	@rm -f $(VENV)/.installed-*; touch $@

$(MO): intranet/translations/en/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -d intranet/translations

# Update the catalog after changing user-visible strings (source strings are Chinese).
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -o intranet/translations/messages.pot .
	$(BIN)/pybabel update -i intranet/translations/messages.pot -d intranet/translations

# Browser tests drive Debian's Chromium (Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# Performance (issue 10): the app under gunicorn on PostgreSQL with the scale data against a bare Flask
# floor, driven by locust; prints the table and writes test-output/bench.json (README, performance).
bench: install
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test,bench]'
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance test-output
