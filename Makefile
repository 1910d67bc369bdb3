# salesperf: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_PASSWORD ?= salesperf-demo
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install install-dev browser axe migrate seed lint bench messages compile-messages clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --if-empty --password "$(DEMO_PASSWORD)"

## Set up, migrate, load the demo data once, and serve on the embedded default (SQLite, eager Celery).
run: seed
	@echo "salesperf: http://$(HOST):$(PORT)/  (log in as manager1 / $(DEMO_PASSWORD))"
	$(PY) manage.py runserver $(HOST):$(PORT)

## Browser tests drive Debian's Chromium; install it when we can (root), else they skip and say why.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "WARNING: could not install chromium; browser tests will be skipped"; \
	  else echo "NOTE: /usr/bin/chromium is missing; browser tests will be skipped (apt-get install chromium)"; fi; \
	fi

## axe-core (pinned) for the accessibility checks of the browser tests, when Node.js's npm is there.
AXE_VERSION ?= 4.11.0
axe:
	@if [ -f .cache/axe/node_modules/axe-core/package.json ] && grep -q '"version": "$(AXE_VERSION)"' .cache/axe/node_modules/axe-core/package.json; then :; \
	elif command -v npm >/dev/null; then \
	  npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@$(AXE_VERSION) \
	    || echo "WARNING: could not install axe-core; the accessibility checks will be skipped"; \
	else echo "NOTE: npm is missing; the accessibility checks of the browser tests will be skipped (install Node.js)"; fi

## Run the whole suite. pytest's exit code 5 (no test collected) is a failure here.
test: install-dev browser axe
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "ERROR: pytest collected no tests" >&2; exit 1; fi; exit $$rc

lint: install-dev
	$(PY) -m ruff check .
	$(PY) manage.py makemigrations --check --dry-run

## Translations: extract the marked strings of language LOCALE (e.g. make messages LOCALE=hu) into
## locale/<LOCALE>/LC_MESSAGES/django.po, then compile the translated catalogues (needs GNU gettext).
LOCALE ?= hu
messages: install
	mkdir -p locale
	$(PY) manage.py makemessages -l $(LOCALE) --ignore=.venv --ignore=bench --ignore=staticfiles

compile-messages: install
	$(PY) manage.py compilemessages --ignore=.venv

## Benchmarks (minutes each, on the PostgreSQL of PGHOST/PGPORT/PGUSER); figures go to docs/benchmarks.md.
bench: install-dev
	$(PY) bench/seed_demo.py
	$(PY) bench/kpi_recompute.py
	$(PY) bench/dashboard.py
	$(PY) bench/import.py
	bash bench/api_load.sh

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .cache
