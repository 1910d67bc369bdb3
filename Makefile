# salesperf: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_PASSWORD ?= salesperf-demo
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install install-dev browser axe migrate seed lint bench gettext messages compile-messages check-messages clean

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

migrate: install compile-messages
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --if-empty --password "$(DEMO_PASSWORD)"

## Set up, migrate, load the demo data once, and serve on the embedded default (SQLite, eager Celery).
## The password is the one seed_demo printed: on existing data DEMO_PASSWORD changes nothing.
run: seed
	@echo "salesperf: http://$(HOST):$(PORT)/  (log in as manager1, rep1 or admin, with the password the demo data was made with)"
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
test: install-dev browser axe compile-messages
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "ERROR: pytest collected no tests" >&2; exit 1; fi; exit $$rc

lint: install-dev
	$(PY) -m ruff check .
	$(PY) manage.py makemigrations --check --dry-run

## Translations (docs/translations.md). `make messages` extracts the marked strings into the
## catalogues of all offered languages (LOCALES=hu for one), in a stable order with file-only
## locations so merges stay small; `make compile-messages` builds the .mo files the app reads.
## Both need GNU gettext, which the `gettext` target installs when it can (root on Debian).
LOCALES ?= el fr fa nb hu
MAKEMESSAGES_FLAGS := --add-location=file --no-obsolete --no-wrap \
	--ignore=.venv --ignore=bench --ignore=staticfiles --ignore=tests --ignore=media
gettext:
	@if ! command -v msgfmt >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing GNU gettext for the translation catalogues"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null) \
	      || echo "WARNING: could not install gettext; without compiled catalogues the pages stay in English"; \
	  else echo "NOTE: GNU gettext is missing (apt-get install gettext); without compiled catalogues the pages stay in English"; fi; \
	fi

messages: install gettext
	$(PY) manage.py makemessages $(addprefix -l ,$(LOCALES)) $(MAKEMESSAGES_FLAGS)

compile-messages: install gettext
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore=.venv; fi

## Fails on an untranslated, fuzzy or obsolete entry of a catalogue required to be complete, on a
## user-facing string outside gettext, and when the catalogues are not up to date with the code.
check-messages: install-dev gettext
	$(PY) -m pytest tests/i18n -q

## Benchmarks (minutes each, on the PostgreSQL of PGHOST/PGPORT/PGUSER); figures go to docs/benchmarks.md.
bench: install-dev
	$(PY) bench/seed_demo.py
	$(PY) bench/kpi_recompute.py
	$(PY) bench/parallel_recompute.py
	$(PY) bench/dashboard.py
	$(PY) bench/import.py
	$(PY) bench/quotas.py
	bash bench/api_load.sh
	bash bench/load.sh

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .cache
