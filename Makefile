# The two commands of the README: `make run` and `make test`. Everything else is a step they take.
# Python 3.11: python3.11 where it is installed under that name, else python3 (checked below).
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make run WEB_PORT=8400 ZOOMSIM_PORT=8401` runs the demo on other ports.
WEB_PORT ?= 8000
ZOOMSIM_PORT ?= 8001

.PHONY: run test lint types unit services chromium clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || { $(PY) -c "import sys; assert sys.version_info[:2] == (3, 11), sys.version" && $(PY) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

# Debian's Chromium for the browser tests; Playwright never downloads a browser of its own.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }

# Campus on :$(WEB_PORT), its worker (beat inside) and zoomsim on :$(ZOOMSIM_PORT), seeded; Ctrl-C stops all.
run: $(STAMP)
	$(BIN)/python scripts/run_all.py --web-port $(WEB_PORT) --zoomsim-port $(ZOOMSIM_PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/lint-imports --no-logo

types: $(STAMP)
	$(BIN)/mypy src scripts/run_all.py

unit: $(STAMP) chromium
	$(BIN)/pytest

# With CI=true the database- and broker-facing tests run again on PostgreSQL and Redis.
services: $(STAMP)
	@if [ "$$CI" = "true" ]; then bash scripts/test-services; else echo "services: skipped (CI is not true)"; fi

test: lint types unit services

clean:
	rm -rf $(VENV) var
