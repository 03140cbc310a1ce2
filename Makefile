# Two commands set everything up:
#   make run   — install into .venv and start Fengqiao on http://127.0.0.1:8000/
#   make test  — install, add Debian's chromium for the browser tests, run the whole suite
# FENGQIAO_DATABASE_URL=postgres://… make test runs the suite on PostgreSQL instead;
# make run UP_ARGS="--port 8080" and make test PYTEST_ARGS="-k demo" pass arguments on.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstalled only when pyproject.toml changes; delete .venv to start afresh.
INSTALLED := $(VENV)/.installed

.PHONY: run test

run: $(INSTALLED)
	$(BIN)/fengqiao up $(UP_ARGS)

test: $(INSTALLED)
	@if [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium and fonts-noto-cjk for the browser tests"; \
	    apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else \
	    echo "chromium or fonts-noto-cjk is missing: sudo apt-get install chromium fonts-noto-cjk" >&2; \
	  fi; \
	fi
	$(BIN)/pytest $(PYTEST_ARGS)

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@
