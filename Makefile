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

bench: install
	$(BIN)/python -m bench.run_all

clean:
	rm -rf var .pytest_cache .ruff_cache
