# Every target creates or reuses the virtual environment at .venv through `setup`.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
USER ?=
FILE ?=
export RUNTIME__DLTHUB_TELEMETRY ?= false
export DBT_SEND_ANONYMOUS_USAGE_STATS ?= false
export GX_ANALYTICS_ENABLED ?= false

.PHONY: setup demo test ingest import docs export review bench clean

setup: .venv/.installed

.venv/.installed: pyproject.toml
	@test -x $(PY) || python3.11 -m venv .venv || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	@touch $@

demo: setup
	$(PY) -m ingest demo

test: setup
	$(PY) -m pytest -q

ingest: setup
	@test -n "$(USER)" || { echo "usage: make ingest USER=name[,name2]"; exit 2; }
	$(PY) -m ingest run --user "$(USER)"

import: setup
	@test -n "$(FILE)" -a -n "$(USER)" || { echo "usage: make import FILE=path USER=name"; exit 2; }
	$(PY) -m ingest import "$(FILE)" --user "$(USER)"

docs: setup
	$(PY) -m ingest docs --serve

export: setup
	$(PY) -m ingest export

review: setup
	$(PY) -m ingest review

bench: setup
	for b in scripts/bench_*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf data site dbt_project/target dbt_project/logs
