# Courtwatch: `make run` (the app on SQLite with demo data) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
export FLASK_APP := courtwatch

.PHONY: run test lint format translations install install-dev browser-assets messages clean

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(STAMP) translations
install-dev: $(DEV_STAMP) translations browser-assets

# Test-only JavaScript the browser tests inject (axe-core), from npm into a git-ignored folder.
AXE := tests/browser_assets/node_modules/axe-core/axe.min.js
$(AXE): tests/browser_assets/package.json tests/browser_assets/package-lock.json
	cd tests/browser_assets && npm ci --no-audit --no-fund --loglevel=error
	@touch $@
browser-assets: $(AXE)

translations: $(STAMP)
	@$(BIN)/pybabel compile -d courtwatch/translations >/dev/null

# make run HOST=0.0.0.0 PORT=8000 to try it from a phone on the same network (see README).
HOST ?= 127.0.0.1
PORT ?= 5000

# The master key that wraps every hearing's data key: made once, kept in instance/ (git-ignored,
# owner-only). Losing it loses every sealed caption and request; production sets COURTWATCH_MASTER_KEY.
instance/master.key:
	@mkdir -p instance
	@umask 077 && $(BIN)/python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())' > $@

# The Web Push (VAPID) key pair, made once like the master key; production sets COURTWATCH_VAPID_*.
instance/vapid_private_key:
	@mkdir -p instance
	@umask 077 && $(BIN)/python -m courtwatch.notify.vapid instance

# Links in mail and the demo's greeting point at the address the app is served on.
run: export COURTWATCH_BASE_URL ?= http://$(HOST):$(PORT)
run: install instance/master.key instance/vapid_private_key
	$(BIN)/flask db upgrade
	-@$(BIN)/flask demo load
	COURTWATCH_STAFF_TWO_FACTOR=$${COURTWATCH_STAFF_TWO_FACTOR:-0} $(BIN)/flask run --host $(HOST) --port $(PORT)

# Two workers by default (the machines have two cores); each worker gets its own database.
PYTEST_WORKERS ?= 2
test: install-dev
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# ruff: the lint rules and the formatter's settings are in pyproject.toml. `make format` rewrites.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the message catalogs after adding strings (then translate courtwatch/translations/es).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o courtwatch/translations/messages.pot .
	$(BIN)/pybabel update -i courtwatch/translations/messages.pot -d courtwatch/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache
