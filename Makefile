# escucha: two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .uv/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: setup demo test dev bench clean chromium

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra dev --compile-bytecode --python $(PYTHON)
	touch $@

setup: $(VENV)/.installed  ## create .venv from the lock file when missing or stale

demo: setup  ## generate the demo year, run the whole pipeline, write the reports
	$(BIN)/escucha demo

# The report tests open every page in Debian's chromium (driven by playwright, which never downloads
# a browser). Installed with apt-get when missing: as root, or through sudo (non-interactive when
# no terminal is attached); otherwise say how and fail.
chromium:  ## install Debian's chromium for the browser checks when it is missing
	@if command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "error: chromium is not installed and apt-get is not available; install chromium and rerun" >&2; exit 1; \
	fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1; then if [ -t 0 ]; then SUDO="sudo"; else SUDO="sudo -n"; fi; \
	else \
	  echo "error: chromium is not installed, and installing it needs root (no sudo here): run" >&2; \
	  echo "  apt-get update && apt-get install -y --no-install-recommends chromium" >&2; \
	  echo "as root, then rerun make test" >&2; exit 1; \
	fi; \
	echo "chromium is missing: installing Debian's chromium with $${SUDO:+$$SUDO }apt-get for the browser checks"; \
	if ! { $$SUDO apt-get update && \
	       $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }; then \
	  echo "error: could not install chromium with apt-get; install it yourself (Debian package chromium) and rerun" >&2; \
	  exit 1; \
	fi; \
	command -v chromium >/dev/null 2>&1 || { echo "error: apt-get finished but there is no chromium on PATH" >&2; exit 1; }

test: setup chromium  ## run the test suite (the browser checks are required: they fail, not skip, without chromium)
	ESCUCHA_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -n 2 --dist loadfile --durations=15

dev: setup  ## serve the Dagster UI on 127.0.0.1:3000
	$(BIN)/escucha ui

bench: setup  ## time the pipeline against bare DuckDB and pandas; writes bench/results/*.json
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .uv dbt_project/target dbt_project/logs
