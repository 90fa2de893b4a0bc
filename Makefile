# The two commands a new user needs: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STORES ?= 200
SEED ?= 1
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install demo test serve worker bench bench-platform translations lint clean-demo

install: $(STAMP) translations

$(STAMP): requirements.lock setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile -q -f -d blueprints/translations 2>/dev/null || true

demo: install
	$(BIN)/supplychain db upgrade
	$(BIN)/supplychain demo --stores $(STORES) --seed $(SEED) --if-empty
	$(BIN)/supplychain demo-logins
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(BIN)/supplychain run --host $(HOST) --port $(PORT) --no-reload

test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

serve: install
	$(BIN)/supplychain db upgrade
	$(BIN)/gunicorn --bind $${BIND:-0.0.0.0:8000} --workers $${WEB_CONCURRENCY:-4} --threads $${THREADS:-4} \
	  --access-logfile - "supplychain.app:create_app()"

worker: install
	$(BIN)/python -m supplychain.worker

bench: bench-platform

bench-platform: install
	$(BIN)/python -m tests.bench.platform

lint: install
	$(BIN)/flake8 supplychain blueprints optimizers printing tests
