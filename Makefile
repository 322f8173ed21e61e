# The two set-up commands of the README: `make demo` (the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INDEX ?= index

.PHONY: install demo test lint bench-build

$(BIN)/newsdex: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

install: $(BIN)/newsdex

demo: install
	$(BIN)/newsdex build samples --index $(INDEX)
	$(BIN)/newsdex stats --index $(INDEX)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest

bench-build: install
	$(BIN)/python bench/build_bench.py
