# One entry point for setting up, trying and testing checkengine on a Debian-like machine.
#   make demo   set up, then evaluate the bundled example month, render, sign and verify audit forms
#   make test   set up, then run the test suite
#   make bench  set up, then run the benchmarks (BENCH_ARGS=--quick: a smoke run at tiny sizes)
#   make serve  set up, then start the auditor's workspace (checkengine serve) with demo users
#   make docs-screenshots  set up, then remake docs/images/ (the workspace's screens, in chromium)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= build/demo
PLUGINS := $(wildcard plugins/*/pyproject.toml)

.PHONY: setup system demo test serve lint bench clean docs-screenshots

setup: system $(VENV)/.installed

system:
	@bash scripts/system-deps.sh

$(VENV)/.installed: pyproject.toml $(PLUGINS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]' $(foreach p,$(PLUGINS),-e $(dir $(p)))
	@touch $@

demo: setup
	@bash scripts/demo.sh $(BIN) $(OUT)

test: setup
	$(BIN)/python -m pytest -q

SERVE_STORE ?= build/serve/workspace.sqlite
SERVE_PORT  ?= 8000
serve: setup
	@mkdir -p $(dir $(SERVE_STORE))
	$(BIN)/checkengine serve --store $(SERVE_STORE) --rulebooks rulebooks --demo examples/month-2026-11 --port $(SERVE_PORT)

docs-screenshots: setup
	$(BIN)/python scripts/docs_screenshots.py --out docs/images

lint: setup
	$(BIN)/checkengine lint rulebooks/

bench: setup $(VENV)/.bench-installed
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

$(VENV)/.bench-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@touch $@

clean:
	rm -rf $(VENV) build .pytest_cache
