# Quick start: `make run` (demo server) and `make test` (every test). See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test check lint typecheck bench install widget wheel clean vectors

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The widget bundle (socket.io-client included), served at /widget.js; not committed.
widget/node_modules/.installed: widget/package.json widget/package-lock.json
	cd widget && npm ci --no-audit --no-fund
	touch $@

# One build makes both bundles: the widget (/widget.js) and the agent console (/console).
widget/dist/.built: widget/node_modules/.installed $(wildcard widget/src/*.js widget/src/*/*.js)
	cd widget && npm run build
	touch $@

widget: widget/dist/.built

# A wheel that carries data/ and the built bundles (hatch_build.py runs npm), in dist/.
wheel: install
	$(BIN)/pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .

run: install widget
	$(BIN)/chatbot serve --host $(HOST) --port $(PORT) --data-dir var --demo

# The browser code's unit tests (node:test, no browser) first, then every Python test.
test: install widget
	cd widget && npm test
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

check: lint typecheck test

# The demo help centre's passage vectors, shipped so that a fresh install embeds nothing.
vectors: install
	$(BIN)/python -m chatbot.kb_search vectors

bench: install
	$(BIN)/python benchmarks/kb_search.py

clean:
	rm -rf $(VENV) var build dist *.egg-info
