# ClearLane: `make run` serves the API and web pages on SQLite; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
export CLEARLANE_DATA_DIR ?= var
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install migrate demo run test lint bench-api bench-dispatch bench-vision browser clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch/torchvision are pinned in pyproject and taken from this machine's local wheels
	$(PY) -m pip install -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

migrate: install
	mkdir -p $(CLEARLANE_DATA_DIR)
	$(VENV)/bin/alembic upgrade head

demo: migrate
	$(PY) -m customs.demo

# One worker per usable CPU; CLEARLANE_WEB_WORKERS=N overrides (customs/web_workers.py).
run: demo
	$(VENV)/bin/uvicorn routes.app:app --host $(HOST) --port $(PORT) \
		--workers $$($(PY) -m customs.web_workers)

browser:
	@bash scripts/ensure-chromium.sh

# Tests run on every CPU (pytest-xdist): each test has its own database, data dir, ports and
# queue name. TEST_WORKERS=0 runs them in one process.
TEST_WORKERS ?= auto
test: install browser
	$(PY) -m pytest -n $(TEST_WORKERS)

lint: install
	$(VENV)/bin/ruff check .

# Needs wrk (Debian: apt-get install -y wrk); without it the bench says so and uses Python.
bench-api: migrate
	@command -v wrk >/dev/null || echo "wrk not installed (apt-get install -y wrk): the bench falls back to a Python load generator"
	$(PY) scripts/bench_api.py

clean:
	rm -rf $(VENV) var .pytest_cache
