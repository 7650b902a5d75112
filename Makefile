# The two quick-start commands. Each creates .venv if needed and installs what it needs.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test lint bench

$(BIN)/python:
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

PORT ?= 8000

serve: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/flowengine serve flows --insecure-dev --port $(PORT)

test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/flowengine lint flows
	$(BIN)/flowengine test --min-coverage 100
	$(BIN)/python -m pytest -q

lint: $(BIN)/python
	$(BIN)/flowengine lint flows

bench: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python bench/run.py
