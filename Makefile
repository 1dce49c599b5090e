# The two commands of the README: `make run` and `make test`. Everything else is their parts.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# Machine-specific settings may live in .env (see .env.example); the environment wins.
ifneq (,$(wildcard .env))
include .env
export
endif

.PHONY: run test setup setup-dev system-deps system-deps-test migrate messages seed static \
	serve worker beat lint format check-deploy check-migrations audit bench

run: setup system-deps migrate messages seed static serve

test: setup-dev system-deps-test messages lint
	$(BIN)/pytest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

setup: $(VENV)/.installed-run
setup-dev: $(VENV)/.installed-dev

system-deps:
	scripts/system-deps.sh run

system-deps-test:
	scripts/system-deps.sh test

migrate:
	$(MANAGE) migrate --noinput

messages:
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v0

seed:
	$(MANAGE) seed_demo

static:
	$(MANAGE) collectstatic --noinput -v0

# With a broker configured, a Celery worker runs beside the web server and stops with it.
serve:
	@if [ -n "$$CELERY_BROKER_URL" ]; then \
		PYTHONPATH=site:. $(BIN)/celery -A config worker --loglevel=INFO --concurrency=2 & \
		trap "kill $$! 2>/dev/null" EXIT INT TERM; \
		$(MANAGE) runserver $(HOST):$(PORT); \
	else \
		$(MANAGE) runserver $(HOST):$(PORT); \
	fi

worker:
	PYTHONPATH=site:. $(BIN)/celery -A config worker --loglevel=INFO

beat:
	PYTHONPATH=site:. $(BIN)/celery -A config beat --loglevel=INFO

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations:
	$(MANAGE) makemigrations --check --dry-run

# pip-audit over requirements*.txt: fails on a known vulnerability that has a fixed release
# (bump the pin); see scripts/dependency_audit.py for the rest. Needs the vulnerability service.
audit: setup-dev
	$(BIN)/python scripts/dependency_audit.py

# Every benchmark, one after the other, and their table in bench/README.md (about half an hour;
# PostgreSQL and Redis on this machine). Not part of `make test`: it times, it does not check.
bench: setup-dev system-deps-test
	$(BIN)/python bench/run_all.py --write-readme

check-deploy:
	DJANGO_SETTINGS_MODULE=config.settings.production \
	DJANGO_SECRET_KEY=check-deploy-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=') \
	DJANGO_ALLOWED_HOSTS=training.example.org \
	$(MANAGE) check --deploy --fail-level WARNING
