# Casework: `make run` starts it on a fresh machine, `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
CASEWORK := $(VENV)/bin/casework

.PHONY: run test setup assets lint typecheck security migrations-check pytest returns-check

DATA_DIR := $(or $(CASEWORK_DATA_DIR),var)
VALIDATORS := $(DATA_DIR)/validators/venv/.installed

setup: $(VENV)/.installed web/node_modules/.installed assets $(VALIDATORS)

# DfE's validators for the returns, in a venv of their own (they need pandas<2 and numpy<2).
$(VALIDATORS): scripts/install-validators.sh
	bash scripts/install-validators.sh
	@touch $@

$(VENV)/.installed: requirements.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: web/node_modules/.installed
	bash scripts/build-assets.sh

run: setup
	$(CASEWORK) serve

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	CASEWORK_NO_DATABASE=1 $(VENV)/bin/mypy .

security: $(VENV)/.installed
	$(VENV)/bin/bandit -q -ll -r casework core accounts audit people recording cases returns demo -x '*/tests/*,*/migrations/*'

migrations-check: $(VENV)/.installed
	$(CASEWORK) manage makemigrations --check --dry-run

pytest: setup
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

# The demo authority's CIN census and SSDA903, made from a fresh seed and checked with DfE's validators.
returns-check: setup
	bash scripts/check-demo-returns.sh

test: setup lint typecheck security migrations-check pytest returns-check
