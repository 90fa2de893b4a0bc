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

.PHONY: install demo test serve worker scheduler bench bench-platform bench-demo bench-latency bench-ledger bench-orders bench-stock translations lint

install: $(STAMP) translations

$(STAMP): requirements.lock setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile -f -d blueprints/translations

demo: install
	$(BIN)/supplychain db upgrade
	$(BIN)/supplychain demo --stores $(STORES) --seed $(SEED) --if-empty
	$(BIN)/supplychain demo-logins
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop); the order scheduler logs to instance/scheduler.log"
	@mkdir -p instance; $(BIN)/supplychain scheduler > instance/scheduler.log 2>&1 & \
	  trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --threads 4 --timeout 600 \
	    --access-logfile instance/access.log "supplychain.app:create_app()"

test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

serve: install
	$(BIN)/supplychain db upgrade
	$(BIN)/gunicorn --bind $${BIND:-0.0.0.0:8000} --workers $${WEB_CONCURRENCY:-4} --threads $${THREADS:-4} \
	  --access-logfile - "supplychain.app:create_app()"

worker: install
	$(BIN)/python -m supplychain.worker

# one per deployment: confirms orders at the cutoff, generates standing orders (idempotent)
scheduler: install
	$(BIN)/supplychain scheduler

bench: bench-platform bench-orders bench-stock

# issue 3: demo load (time, peak RSS), page/API latency at 2,000 stores and 100k moves,
# reserve-if-available with 8 threads on one SKU; SQLite and PostgreSQL each
bench-platform: bench-demo bench-latency bench-ledger

bench-demo: install
	$(BIN)/python -m tests.bench.demo --stores 200 2000

bench-latency: install
	$(BIN)/python -m tests.bench.latency

bench-ledger: install
	$(BIN)/python -m tests.bench.ledger

# issue 4: flash sale (50 on hand, 200 merchants x 1 unit at once) and sustained 5-line
# order intake, against gunicorn + PostgreSQL and the embedded SQLite server
bench-orders: install
	$(BIN)/python -m tests.bench.orders

# issue 5: 进销存 at 100k and 1M moves (300 SKUs, 2 warehouses, 1 year, seeded in bulk):
# available qty of one SKU, the monthly report, stock value at a past date; SQLite and
# PostgreSQL each
bench-stock: install
	$(BIN)/python -m tests.bench.stock

lint: install
	$(BIN)/flake8 supplychain blueprints optimizers printing tests
