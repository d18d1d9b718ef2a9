# Care Atlas: the two set-up commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install run test lint browser bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Build the demo data on first run (synthetic extract -> serving database), then serve it.
run: install
	$(BIN)/care-atlas demo

## Lint, then the whole suite, browser tests included.
test: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Debian chromium + chromium-driver for the browser tests (installed only when missing).
browser:
	bash scripts/install-browser.sh
	bash scripts/fetch-axe.sh

## The query benchmark (bench/README.md) on the demo database: installs the bench extra
## (polars, for its in-memory peer), builds the demo on first run, times BENCH_STATES states per
## view; BENCH_ARGS passes more of its options (e.g. --json FILE, --views trend,matrix).
BENCH_STATES ?= 200
BENCH_ARGS ?=
DEMO_DB := $(or $(CARE_ATLAS_VAR_DIR),var)/demo/serving.duckdb
BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/care-atlas demo --prepare-only
	$(BIN)/python -m bench.bench_queries --db $(DEMO_DB) --states $(BENCH_STATES) $(BENCH_ARGS)

clean:
	rm -rf var .pytest_cache .ruff_cache
