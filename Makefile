# The two commands a newcomer needs: `make run` and `make test` (both set up what they need).
PYTHON ?= python3
VENV := .venv
RUNTIME := .runtime
FRONTEND := frontend
FRONTEND_SOURCES := $(shell find $(FRONTEND)/src $(FRONTEND)/public -type f 2>/dev/null) \
	$(wildcard $(FRONTEND)/index.html $(FRONTEND)/vite.config.ts $(FRONTEND)/tsconfig*.json)
FILE ?= examples/pandas_demo.py

.PHONY: setup run run-file test lint typecheck unit frontend-test bench clean

setup: $(VENV)/.installed $(RUNTIME)/.installed $(FRONTEND)/dist/index.html

# The server's virtualenv: execbox itself and the development tools.
$(VENV)/.installed: backend/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e 'backend[dev]'
	touch $@

# The sandbox runtime: what user code can import. Mounted read-only into every sandbox.
# Matplotlib's font cache is built here once, in the directory sandbox/layout.py names: runs
# read it there instead of each building one of their own.
$(RUNTIME)/.installed: backend/runtime-requirements.txt
	$(PYTHON) -m venv $(RUNTIME)
	$(RUNTIME)/bin/pip install --quiet --upgrade pip
	$(RUNTIME)/bin/pip install --quiet -r backend/runtime-requirements.txt
	MPLBACKEND=Agg MPLCONFIGDIR=$(CURDIR)/$(RUNTIME)/mplconfig $(RUNTIME)/bin/python -c "import matplotlib.pyplot"
	touch $@

# The whole service on http://127.0.0.1:8000 (API, /docs), SQLite under ./data, local sandbox.
# The web UI, built once and served by the API process (`npm run dev` in frontend/ for UI work).
$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(FRONTEND)/dist/index.html: $(FRONTEND)/node_modules/.installed $(FRONTEND_SOURCES)
	cd $(FRONTEND) && npm run build

run: setup
	$(VENV)/bin/execbox serve --host 127.0.0.1 --port 8000

# One file through the sandbox, no server: make run-file FILE=my_program.py
run-file: setup
	$(VENV)/bin/execbox run $(FILE)

# Ruff and the import layers on the backend; ESLint (type-aware, no warnings allowed) and Prettier on the web UI.
lint: setup $(FRONTEND)/node_modules/.installed
	cd backend && ../$(VENV)/bin/ruff check . ../bench && ../$(VENV)/bin/ruff format --check . ../bench
	cd backend && ../$(VENV)/bin/lint-imports --no-cache  # the layers: [tool.importlinter] in pyproject.toml
	cd $(FRONTEND) && npm run lint && npm run format:check

typecheck: setup
	cd backend && ../$(VENV)/bin/mypy

unit: setup
	cd backend && ../$(VENV)/bin/pytest

# The generated API types must match the server's schema; then unit and browser tests.
frontend-test: setup
	cd $(FRONTEND) && npm run check:api && npm run typecheck && npm test && npm run e2e

test: lint typecheck unit frontend-test

# The deployment for real (issue 14): builds both images, brings docker/docker-compose.yml up,
# runs programs through the API, kills a worker mid-run, tears it all down. Minutes; needs a
# Docker engine, or root to start one (docker/smoke-test.sh). Not part of `make test`.
# The published API contract, longer than `make test` checks it and with a new seed each run
# (docs/development.md): 10 minutes against a real `execbox serve`.
.PHONY: contract
contract: setup
	cd backend && EXECBOX_CONTRACT_SECONDS=600 EXECBOX_CONTRACT_SEED=random ../$(VENV)/bin/pytest tests/api/test_contract.py

.PHONY: test-docker
test-docker:
	docker/smoke-test.sh

bench: setup
	$(VENV)/bin/python bench/sandbox_bench.py
	$(VENV)/bin/python bench/http_bench.py
	$(VENV)/bin/python bench/credential_bench.py
	$(VENV)/bin/python bench/search_bench.py
	$(VENV)/bin/python bench/stream_bench.py
	$(VENV)/bin/python bench/flood_bench.py
	$(VENV)/bin/python bench/live_runs_bench.py
	$(VENV)/bin/python bench/mixed_load_bench.py

clean:
	rm -rf $(VENV) $(RUNTIME) $(FRONTEND)/node_modules $(FRONTEND)/dist
