# Two commands for a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: run test install migrate demo demo-reset lint format check bench worker beat clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

# The demo is dated from the day it is loaded; on an older one seed_demo says so (make demo-reset).
demo: migrate
	$(BIN)/python manage.py seed_demo --if-empty

# Empty the database (manage.py flush) and load a demo dated today.
demo-reset: migrate
	$(BIN)/python manage.py seed_demo --reset

# Without Redis the nightly jobs run in-process: today's before serving if not done yet, then
# each night from a thread of runserver (docs/architecture.md, « Nightly jobs »).
run: demo
	$(BIN)/python manage.py taches_nocturnes --si-en-retard
	$(BIN)/python manage.py demo_logins
	$(BIN)/python manage.py runserver $(HOST)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

# One worker on every queue (plie/celery.py routes exports and nightly jobs to their own queue).
worker: install
	$(BIN)/celery -A plie worker --loglevel=INFO \
		--queues=$${CELERY_QUEUE:-celery},$${CELERY_QUEUE_EXPORTS:-exports},$${CELERY_QUEUE_NIGHTLY:-nightly}

beat: install
	$(BIN)/celery -A plie beat --loglevel=INFO

clean:
	rm -rf $(VENV) var/db.sqlite3 .coverage htmlcov
