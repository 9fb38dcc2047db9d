# Maillage — the two commands: `make run` and `make test` (and `make bench`).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test bench install install-test assets services lint typecheck test-sqlite test-postgres browser-deps haproxy-deps cluster clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json
	npm run --silent build

# Command 1: install, build assets, migrate SQLite, load the demo once, serve on 127.0.0.1.
run: install assets
	$(BIN)/maillage demo --quiet
	PORT=$(PORT) MAILLAGE_HTTPS=$${MAILLAGE_HTTPS:-0} $(BIN)/maillage serve

# Command 2: everything the tests need, then the whole suite on SQLite and on PostgreSQL.
test: install-test assets browser-deps haproxy-deps services lint typecheck test-sqlite test-postgres

lint:
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	$(BIN)/lint-imports
	$(BIN)/bandit -q -r src/maillage -x '*/tests/*' --severity-level high

typecheck:
	$(BIN)/mypy src/maillage

test-sqlite:
	DEBUG=0 $(BIN)/pytest -p no:cacheprovider -q --durations=25

test-postgres:
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) DEBUG=0 $(BIN)/pytest -q --durations=25 --ignore=src/maillage/analysis

browser-deps:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# The load balancer of the cluster tests (core/tests/test_cluster.py) and bench/cluster.py.
haproxy-deps:
	@test -x /usr/sbin/haproxy || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null)

services:
	@bash scripts/services.sh

# Two web hosts, a worker, S3 (moto) and HAProxy on loopback, until Ctrl-C.
cluster: install-test haproxy-deps services
	bash scripts/cluster.sh

bench: install-test assets haproxy-deps services
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/pip install --quiet --no-deps bertopic==0.17.4  # the themes baseline, over our offline embeddings
	bash scripts/bench.sh

clean:
	rm -rf $(VENV) node_modules var src/maillage/static/dist
