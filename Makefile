# Casework: `make run` starts it on a fresh machine, `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
CASEWORK := $(VENV)/bin/casework

.PHONY: run test setup system-packages assets lint typecheck security migrations-check pytest smoke web-test

# One install of the validators per checkout, found from any data folder (settings.CASEWORK_VALIDATORS_DIR).
VALIDATORS := $(or $(CASEWORK_VALIDATORS_DIR),.validators)/venv/.installed

setup: system-packages $(VENV)/.installed web/node_modules/.installed assets $(VALIDATORS)

# Debian's packages pip cannot install (Pango and fonts for printing, pdftotext): quick when present.
system-packages:
	bash scripts/system-packages.sh

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
	$(VENV)/bin/lint-imports

typecheck: $(VENV)/.installed
	CASEWORK_NO_DATABASE=1 $(VENV)/bin/mypy .

# The offline app (web/mobile): TypeScript checked with strict settings (the app, and the service worker with the
# worker's types), then its unit tests in node's test runner (store, sync against a fake server, forms conformance).
web-test: web/node_modules/.installed
	web/node_modules/.bin/tsc -p web/mobile
	web/node_modules/.bin/tsc -p web/mobile/tsconfig.sw.json
	node web/mobile/build.mjs --test
	node --test forms/tests/js/

security: $(VENV)/.installed
	$(VENV)/bin/bandit -q -ll -r casework core accounts audit people recording cases returns demo forms documents sync retention bundles -x '*/tests/*,*/migrations/*'

migrations-check: $(VENV)/.installed
	$(CASEWORK) manage makemigrations --check --dry-run

pytest: setup
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

# Every `casework` command from the shell, once, on a freshly seeded demo authority (seeded once), outside any test
# transaction; includes the demo authority's CIN census and SSDA903, checked with DfE's validators.
smoke: setup
	bash scripts/smoke.sh

test: setup lint typecheck web-test security migrations-check pytest smoke
