# NET Info: `make run` serves the site with demo content, `make test` runs every check.
# Both set up everything they need (a virtualenv in .venv and the pinned packages) on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check lint format messages bench cluster cluster-stop clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "NET Info needs Python 3.10 or newer; $(PYTHON) is older." >&2; exit 1; }
	@sh .ci/ensure-venv "$(PYTHON)" "$(VENV)"

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

# The local site: DEBUG on, SQLite under var/ unless DATABASE_URL says otherwise.
run: export DJANGO_DEBUG ?= 1
run: $(VENV)/.installed
	@mkdir -p var/static
	$(MANAGE) migrate --noinput
	$(MANAGE) render_pages --missing
	$(MANAGE) load_demo_content
	$(MANAGE) ensure_superuser
	@echo "NET Info is starting on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(MANAGE) runserver $(HOST):$(PORT)

# Tests run with production settings (DEBUG off), so they need a secret key: a random one per run.
test: export DJANGO_SECRET_KEY ?= $(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')
test: $(VENV)/.installed-dev
	@sh .ci/ensure-chromium
	@sh .ci/ensure-vnu
	@sh .ci/ensure-varnish
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest

# Load test against generated data; see README "Performance". BENCH_ARGS="--seconds 5" etc.
bench: export DJANGO_SECRET_KEY ?= $(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')
bench: $(VENV)/.installed
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } || \
		{ echo "wrk is missing: sudo apt-get install wrk" >&2; exit 1; }
	$(MANAGE) benchmark $(BENCH_ARGS)

# Production's shape on loopback: PostgreSQL, Redis, two gunicorn servers, Varnish in front
# (README, "Behind a cache"). DATABASE_URL / REDIS_URL pick existing servers; VARNISH_PORT.
cluster: $(VENV)/.installed
	$(MANAGE) cluster

cluster-stop: $(VENV)/.installed
	$(MANAGE) cluster --stop

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the German catalogue after changing user-facing strings (needs GNU gettext).
messages: export DJANGO_DEBUG ?= 1
messages: $(VENV)/.installed-dev
	$(MANAGE) makemessages -l de --no-obsolete --add-location file --ignore=.venv --ignore=var
	$(MANAGE) makemessages -l de -d djangojs --no-obsolete --add-location file --ignore=.venv --ignore=var
	$(MANAGE) compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var/static .pytest_cache .ruff_cache
