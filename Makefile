# SafeCampus developer entry points.
#   make run    everything on this machine (embedded Postgres, dev identity server, services, worker),
#               seeded with a demo county; Ctrl-C stops it all
#   make test   what CI runs (.ci/run): venv, Postgres + RabbitMQ, lint, types, tests
# Extra arguments: make test PYTEST_ARGS="-k tenancy -x"; make run RUN_ARGS="--verbose"

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
RUN_ARGS ?=

.PHONY: help venv services run test lint fmt clean-data soak

help:
	@echo "make run         start the whole stack on this machine (demo data; Ctrl-C stops it)"
	@echo "make test        what CI runs: venv, Postgres + RabbitMQ, ruff, mypy, pytest (PYTEST_ARGS=...)"
	@echo "make venv        create or refresh .venv (no-op when requirements.txt/pyproject.toml are unchanged)"
	@echo "make lint        ruff check, ruff format --check, mypy"
	@echo "make fmt         ruff format and ruff check --fix"
	@echo "make clean-data  stop the embedded Postgres and delete .data (demo data, logs, dev secrets)"
	@echo "make soak        steady load on a private one-machine stack (SOAK_SECONDS=600, SOAK_RATE=10); not in make test"

venv:
	@scripts/bootstrap-venv

services:
	@scripts/ensure-services

run: venv
	$(BIN)/safecampus run $(RUN_ARGS)

test: venv services
	@scripts/ensure-browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy services/kit services/portal tenants
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy services/kit services/portal tenants

fmt: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# A bounded steady load against its own one-machine stack (docs/reliability.md); writes the figures there.
soak: venv
	$(BIN)/python soak/soak.py

# County-scale data set and load benchmark (bench/README.md); not in make test. Extra arguments:
# make bench-generate BENCH_ARGS="--schools 30"; make bench-run BENCH_ARGS="--seconds 3 --readme"
BENCH_ARGS ?=
.PHONY: bench-generate bench-run
bench-generate: venv
	bench/generate $(BENCH_ARGS)

bench-run: venv
	bench/run $(BENCH_ARGS)

# The embedded Postgres module is standard library only, so this works without a venv.
clean-data:
	@if [ -d .data/postgres ]; then python3 infra/safecampus/embedded_postgres.py stop .data/postgres; fi
	@# As root with an unreachable checkout the cluster lives in /var/tmp behind a symlink.
	@if [ -L .data/postgres ]; then rm -rf "$$(readlink -f .data/postgres)"; fi
	rm -rf .data
