# Two commands set everything up on a fresh machine with Python 3.11 and Node 20:
#   make run   - install, create or upgrade the database, load the demo area, serve on :5000
#   make test  - the same set-up plus the development tools, then the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-dev assets init lint bench clean

run: install assets init
	$(BIN)/casereview serve --host $(HOST) --port $(PORT)

test: install-dev assets init
	$(BIN)/ruff check .
	$(BIN)/pytest

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
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

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: install-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules
