# The two front-door commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint migrate seed messages

# Reinstall when the pinned dependencies change.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

# Browser libraries (charts, drag to reorder), served from node_modules by config/vendor_static.py.
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# The worker prints kitchen tickets and fires courses on time; pms_link owns the FIAS links
# to hotels' PMSs (it idles when every hotel uses the built-in ledger). Both stop with daphne.
# `serve` prints "Serving on ..." once daphne answers, not before.
run: seed
	$(BIN)/python manage.py printing_sweep
	$(BIN)/python manage.py pms_sweep
	$(BIN)/python manage.py db_worker --queue-name '*' --interval 0.2 --no-reload & worker=$$!; \
	$(BIN)/python manage.py pms_link & link=$$!; \
	trap 'kill $$worker $$link 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py serve --host $(HOST) --port $(PORT) --note "waiter PINs are in README.md"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

# Two processes by default: the browser tests mostly wait, so two share a 2-core machine well.
TEST_WORKERS ?= 2

test: lint
	$(BIN)/pytest --numprocesses $(TEST_WORKERS)

messages: install
	$(BIN)/python manage.py makemessages -l nl --no-location --ignore=.venv --ignore=tests --ignore=bench
	$(BIN)/python manage.py makemessages -d djangojs -l nl --no-location --ignore=.venv --ignore=staticfiles
	$(BIN)/python manage.py compilemessages --ignore=.venv
