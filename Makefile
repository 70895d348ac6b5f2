# docproc — `make run` and `make test` are all a newcomer needs; `make help` lists the rest.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-stamp

.DEFAULT_GOAL := help
.PHONY: test-faults help setup run extract migrate worker test lint format bench bench-accuracy bench-perf soak-mail soak fixtures lock clean

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

test: setup lint ## Lint, type-check and run the tests (a short chaos run included), then audit
	$(BIN)/pytest -q
	@$(MAKE) --no-print-directory audit || echo "make test: dependency audit did not pass or could not reach the advisory database (see above); not fatal here, run make audit"

test-faults: setup ## Only the fault-injection tests (the short chaos run; make test runs them too)
	$(BIN)/pytest -q -m faults

lint: setup ## ruff format check, ruff, mypy --strict, import contracts
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: setup ## Format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: bench-accuracy ## All benchmarks, then bench/results.json and the README's summary table
	$(BIN)/python -m bench.startup
	$(BIN)/python -m bench.ocr
	$(BIN)/python -m bench.drawings
	$(BIN)/python -m bench.web
	$(BIN)/python -m bench.llm
	$(BIN)/python -m bench.billing
	$(BIN)/python -m bench.soak --count 100 --restarts 1 2>/dev/null
	$(BIN)/python -m bench.perf
	$(BIN)/python -m bench.summary

bench-perf: setup ## Speed, scale-out, load, leak and cost figures (quick: make bench-perf PERF=--quick)
	$(BIN)/python -m bench.perf $(PERF)
	$(BIN)/python -m bench.summary

bench-accuracy: setup ## Per-field accuracy, line-item F1 and time per page, on fixtures and the shared corpus
	$(BIN)/python -m bench.accuracy

soak: setup ## Delivery soak: 500 invoices into QuickBooks + Xero stubs failing 30 %, restarted twice
	@$(BIN)/python -m bench.soak --count 500 2>/dev/null

soak-mail: setup ## Mail soak: 200 messages / 350 attachments into Dovecot, poller SIGKILLed twice
	$(BIN)/python -m bench.soak_mail

fixtures: setup ## Regenerate the committed sample documents
	$(BIN)/python -m fixtures.generate --samples fixtures/samples

lock: ## Re-lock dependencies with hashes (needs uv)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --generate-hashes \
		--python-version 3.11 --no-header -o requirements.lock

chaos: setup ## Faults against 300 documents; ends with one CHAOS line (CHAOS_COUNT=300)
	$(BIN)/python -m bench.chaos --count $${CHAOS_COUNT:-300}

fuzz: setup ## Fuzz the sniff/guard stage with atheris (FUZZ_SECONDS=600)
	@mkdir -p var/fuzz/corpus
	$(BIN)/python -m tests.fuzz.fuzz_sniff var/fuzz/corpus -max_total_time=$${FUZZ_SECONDS:-600} -rss_limit_mb=1024

audit: setup ## Audit the locked dependencies for known vulnerabilities (pip-audit)
	$(BIN)/pip-audit -r requirements.lock --require-hashes --disable-pip --strict

clean: ## Remove the virtualenv, caches and local state
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .hypothesis
