# Two commands set everything up on a fresh machine with Python 3.11 and Node 20:
#   make run   - install, create or upgrade the database, load the demo area, serve on :5000
#   make test  - the same set-up plus the development tools, every check, then the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-dev install-bench assets init lint bench bench-quick clean

run: install assets init
	$(BIN)/casereview serve --host $(HOST) --port $(PORT)

test: install-dev assets init lint
	$(BIN)/pytest -n auto

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-bench: $(VENV)/.installed-bench
assets: node_modules/.installed

init: install
	$(BIN)/casereview init --demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Style, the import contract (arrows point down: pyproject.toml's [tool.importlinter]) and types.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The benchmark builds its own data (SQLite, and a PostgreSQL database it creates and drops at
# CASEREVIEW_BENCH_POSTGRES_URL) and writes bench/results.json; bench-quick is a small run.
bench: install-bench assets
	$(BIN)/python bench/run.py

bench-quick: install-bench assets
	$(BIN)/python bench/run.py --quick

clean:
	rm -rf $(VENV) node_modules
