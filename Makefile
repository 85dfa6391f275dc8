# escucha: two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .uv/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: setup demo test dev bench clean

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra dev --compile-bytecode --python $(PYTHON)
	touch $@

setup: $(VENV)/.installed  ## create .venv from the lock file when missing or stale

demo: setup  ## generate the demo year, run the whole pipeline, write the reports
	$(BIN)/escucha demo

test: setup  ## run the test suite
	$(BIN)/python -m pytest

dev: setup  ## serve the Dagster UI on 127.0.0.1:3000
	$(BIN)/escucha ui

bench: setup  ## time the pipeline against bare DuckDB and pandas; writes bench/results/*.json
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .uv dbt_project/target dbt_project/logs
