# docproc — `make run` and `make test` are all a newcomer needs; `make help` lists the rest.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-stamp

.DEFAULT_GOAL := help
.PHONY: help setup run extract migrate worker test lint format bench bench-accuracy fixtures lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml scripts/setup.sh
	bash scripts/setup.sh
	@touch $@

setup: $(STAMP) ## Install what is missing (tesseract, uv, the locked dependencies into .venv)

run: setup ## Run the API and a worker on embedded defaults (SQLite, files under ./var)
	$(BIN)/docproc serve

extract: setup ## Extract the committed sample documents and print their results
	$(BIN)/docproc extract fixtures/samples

migrate: setup ## Migrate the configured database (DOCPROC_DATABASE__URL) to the newest schema
	$(BIN)/docproc db upgrade

worker: setup ## Run a worker against DOCPROC_* (PostgreSQL + Redis or RabbitMQ)
	$(BIN)/docproc worker

test: setup lint ## Lint, type-check and run the tests
	$(BIN)/pytest -q

lint: setup ## ruff format check, ruff, mypy --strict, import contracts
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: setup ## Format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: bench-accuracy ## All benchmarks
	$(BIN)/python -m bench.startup

bench-accuracy: setup ## Per-field accuracy, line-item F1 and time per page, on fixtures and the shared corpus
	$(BIN)/python -m bench.accuracy

fixtures: setup ## Regenerate the committed sample documents
	$(BIN)/python -m fixtures.generate --samples fixtures/samples

lock: ## Re-lock dependencies with hashes (needs uv)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --generate-hashes \
		--python-version 3.11 --no-header -o requirements.lock

clean: ## Remove the virtualenv, caches and local state
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .hypothesis
