# valueloop — every target bootstraps itself on a fresh machine (Python 3.11 + network to PyPI/Debian).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml uv.lock | sha1sum | cut -c1-12)
DEMO_DIR ?= demo-workspace

.PHONY: setup system demo test test-fast lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv sync --frozen --python $(PYTHON)
	@rm -f $(VENV)/.installed-* && touch $@

# System packages some features need (fonts for Chinese charts/PDF, a browser for UI tests).
SYSTEM_PACKAGES := postgresql chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
	  else echo "please install:$$missing" >&2; exit 1; fi; fi

# `make demo` rebuilds the demo workspace and then serves its dashboard; `make demo SERVE=0` only builds and prints.
SERVE ?= 1
demo: setup system
	rm -rf $(DEMO_DIR)
	VALUELOOP_ADMIN_PASSWORD=$${VALUELOOP_ADMIN_PASSWORD:-valueloop-demo} \
	  $(BIN)/valueloop demo --out $(DEMO_DIR) $(if $(filter 1,$(SERVE)),--serve)

test: setup system
	$(BIN)/lint-imports
	$(BIN)/pytest

test-fast: setup
	$(BIN)/pytest -m "not slow"

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
