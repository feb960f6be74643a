# The verbs a newcomer looks for. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format migrate demo clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Newsroom needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo
	@echo "Newsroom: http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@# The task worker (emails and other slow work) runs beside the server and stops with it.
	DEBUG=1 $(BIN)/python manage.py worker & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache *.egg-info

# The production profile on this machine: DEBUG off, gunicorn with newsroom/gunicorn_conf.py
# (WEB_CONCURRENCY, GUNICORN_* override it), plain HTTP (HTTPS=0) on $(HOST):$(PORT).
# It needs SECRET_KEY, ALLOWED_HOSTS and NEWSROOM_BASE_URL: without a SECRET_KEY of your own it
# uses the local-only default below, which is public and must never be used for a real deployment.
SECRET_KEY ?= local-serve-only-not-a-secret-never-deploy-this-key
ALLOWED_HOSTS ?= $(HOST),localhost
NEWSROOM_BASE_URL ?= http://$(HOST):$(PORT)
# `make bench BENCH_ARGS="--articles 100000"`: see `manage.py bench --help`. The Wagtail peer
# (../shared/peer-wagtail, once its setup.sh has run) is measured before and after our load;
# `--before docs/benchmarks-before.json` adds an earlier run's figures to the report;
# `--database-pool` serves with Django's psycopg pool instead of persistent connections.
BENCH_ARGS ?=

.PHONY: serve bench bench-smoke

serve: $(STAMP)
	DEBUG=0 HTTPS=0 SECRET_KEY='$(SECRET_KEY)' NEWSROOM_BASE_URL='$(NEWSROOM_BASE_URL)' $(BIN)/python manage.py migrate --noinput
	DEBUG=0 HTTPS=0 SECRET_KEY='$(SECRET_KEY)' NEWSROOM_BASE_URL='$(NEWSROOM_BASE_URL)' $(BIN)/python manage.py collectstatic --noinput
	@echo "Newsroom (production profile): http://$(HOST):$(PORT)/"
	DEBUG=0 HTTPS=0 SECRET_KEY='$(SECRET_KEY)' ALLOWED_HOSTS='$(ALLOWED_HOSTS)' \
		NEWSROOM_BASE_URL='$(NEWSROOM_BASE_URL)' GUNICORN_BIND=$(HOST):$(PORT) \
		$(BIN)/gunicorn -c newsroom/gunicorn_conf.py newsroom.wsgi

# Load test on a fresh benchmark database (never the project's) in three modes (every cache
# off, fragments cached, page cache on); writes docs/benchmarks.md and docs/benchmarks.json.
bench: $(STAMP)
	DEBUG=0 NEWSROOM_DEVTOOLS=1 SECRET_KEY='$(SECRET_KEY)' NEWSROOM_BASE_URL='$(NEWSROOM_BASE_URL)' \
		$(BIN)/python manage.py bench $(BENCH_ARGS)

# The same in about a minute with 200 articles and no peer: proves every page works under load.
bench-smoke: $(STAMP)
	DEBUG=0 NEWSROOM_DEVTOOLS=1 SECRET_KEY='$(SECRET_KEY)' NEWSROOM_BASE_URL='$(NEWSROOM_BASE_URL)' \
		$(BIN)/python manage.py bench --smoke $(BENCH_ARGS)

# Under load and faults: readers at 64 connections for 60 s while a moderator publishes, then
# Redis killed and the database cut off (`manage.py loadtest --help`). Needs DATABASE_URL on
# PostgreSQL: its server gets a fresh newsroom_loadtest database, dropped afterwards. Redis is a
# private redis-server on a free port, never the machine's shared one.
LOADTEST_ARGS ?=

.PHONY: loadtest

loadtest: $(STAMP)
	DEBUG=0 NEWSROOM_DEVTOOLS=1 SECRET_KEY='$(SECRET_KEY)' NEWSROOM_BASE_URL='$(NEWSROOM_BASE_URL)' \
		$(BIN)/python manage.py loadtest $(LOADTEST_ARGS)
