# SmartHIS: `make run` serves the demo hospital, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-sqlite test-postgres lint system-deps clean bench bench-queue bench-day bench-quick bench-volume faults

install: $(STAMP)

$(STAMP): pyproject.toml
	@if ! $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
	  else echo "python3-venv is missing: install it (apt-get install python3-venv)"; exit 1; fi; \
	fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# System packages the tests drive as real peers (installed through apt when root).
system-deps:
	@scripts/system-deps.sh

run: install
	$(BIN)/smarthis migrate
	$(BIN)/smarthis demo --if-new
	$(BIN)/smarthis serve --host $(HOST) --port $(PORT) --with-simulators

lint: install
	$(BIN)/ruff check smarthis tests bench
	$(BIN)/ruff format --check smarthis tests bench

test: install system-deps lint test-sqlite test-postgres

test-sqlite: install
	@echo "== tests on SQLite =="
	$(BIN)/pytest

test-postgres: install
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_TEST_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== tests on PostgreSQL ($(PG_TEST_URL)) =="; \
	  SMARTHIS_TEST_DATABASE_URL='$(PG_TEST_URL)' $(BIN)/pytest; \
	else \
	  echo "== no PostgreSQL answers at $(PG_TEST_URL): ran the suite on SQLite only =="; \
	fi

# Benchmarks against real server processes (never part of `make test`): bench/README.md.
bench: install bench-queue bench-day

bench-queue: install
	$(BIN)/python -m bench.queue_bench

# The outpatient day replayed through the API: 8,000 visits on PostgreSQL (bench-quick: 800).
bench-day: install
	$(BIN)/python -m bench.day_bench --visits 8000

bench-quick: install
	$(BIN)/python -m bench.day_bench --visits 800

# Patient search and result lookup at 10k, 100k and 1M patients on PostgreSQL (15-30 min).
bench-volume: install
	$(BIN)/python -m bench.volume_bench

# Fault injection against real server processes (kill, portal outage, PostgreSQL restart of
# a throwaway instance, LIS outage, bank outage): prints one JSON line per scenario;
# bench/README.md. `DB=sqlite make faults` for SQLite (no PostgreSQL restart).
faults: install
	$(BIN)/python -m bench.faults --db $(or $(DB),postgres)

clean:
	rm -rf $(VENV) var .pytest_cache
