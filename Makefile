# RJ Portal: `make run` serves the portal with demo data; `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PYTEST_ARGS ?=
PORT ?= 8000

.PHONY: help install assets db run test test-only browsers lint format bench clean

help:
	@echo "make run    create .venv, install, build assets, migrate, load demo data and serve http://127.0.0.1:8000"
	@echo "make test   install, build assets and run the whole test suite (browser tests use /usr/bin/chromium)"
	@echo "make lint   ruff check, ruff format --check and makemigrations --check"

# Python: reinstall only when the pinned requirements change.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt 2>&1 \
		| { grep -v "is ignored: it is neither a file nor a directory" || true; }
	@touch $@

# Front end: npm ci when the lock file changes, sass when a source changes.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build/.built: node_modules/.installed scripts/build-assets.mjs $(shell find assets -type f 2>/dev/null)
	npm run --silent build
	@touch $@

install: $(VENV)/.installed node_modules/.installed
assets: build/.built

db: install
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) import_recorded_crime rjportal/areas/data/recorded_crime_by_pfa_2023.csv
	$(MANAGE) seed_demo

# The background worker (large referral imports) runs beside the web server and stops with it.
run: install assets db
	@echo "Serving RJ Portal at http://127.0.0.1:$(PORT), with its background worker (Ctrl+C to stop both)"
	@trap 'kill 0' EXIT; \
	$(MANAGE) db_worker --no-reload & \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

browsers:
	@bash scripts/ensure-chromium

test: install assets browsers test-only

test-only:
	$(VENV)/bin/pytest -n auto $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf build staticfiles

# Times the referral list, CSV export and import against 1,000,000 synthetic referrals on
# PostgreSQL (BENCH_DATABASE_URL or DATABASE_URL, default postgres://postgres@127.0.0.1:5432/rj_bench)
# and SQLite (a file in the system temp folder).
# Not part of `make test`; see bench/run.py for the settings.
bench: install assets
	$(PY) bench/run.py

# Backup and restore drill: pg_dump a scratch PostgreSQL database, pg_restore it into a fresh
# one and compare every table's row count and dashboard figures (RESTORE_DRILL_PG, default
# postgres://postgres@127.0.0.1:5432). Not part of `make test`.
restore-drill: install
	bash scripts/restore-drill
