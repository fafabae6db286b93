# Two commands do all set-up: `make run` and `make test` (see README.md).
SHELL := /bin/bash
# Local runs (site and tests) use development settings; production sets DEBUG=0 and its secrets.
export DEBUG ?= 1
VENV := .venv
BIN := $(VENV)/bin
PYVER := $(shell cat .python-version)
# Python >= 3.12: the pyenv interpreter named in .python-version, else one on PATH.
PYTHON := $(shell p=$$(pyenv prefix $(PYVER) 2>/dev/null)/bin/python3; [ -x "$$p" ] && echo $$p || \
	(command -v python3.13 || command -v python3.12 || command -v python3) 2>/dev/null | head -1)
PYTEST_ARGS ?=
SEED_ARGS ?= --importers 60 --entries 600 --cases 120 --seed 1

.PHONY: run test install migrate demo bench bench-web lint clean

$(BIN)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), f"Python >= 3.12 needed, found {sys.version}"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py load_reference_data

demo: migrate
	$(BIN)/python manage.py seed_demo $(SEED_ARGS)

run: demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks need PostgreSQL: BENCH_DATABASE_URL is seeded once (200k importers, 10M lines) and kept;
# the ingest benchmark empties its own database. Figures go in docs/benchmarks.md.
BENCH_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/cee_bench
INGEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/cee_ingest_bench
bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/seed_demo.py --keep
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/reassign.py
	DATABASE_URL=$(INGEST_DATABASE_URL) $(BIN)/python bench/ingest.py

# The pages, the API case list and a mixed load through gunicorn on loopback (docs/benchmarks.md), on a
# database seeded with 1M cases: DATABASE_URL=... .venv/bin/python bench/seed_demo.py --cases 1000000
WEB_BENCH_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/cee_web_bench
WEB_BENCH_ARGS ?= all
bench-web: install
	DATABASE_URL=$(WEB_BENCH_DATABASE_URL) $(BIN)/python bench/web.py $(WEB_BENCH_ARGS)

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
