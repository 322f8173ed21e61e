# The two set-up commands of the README: `make demo` (the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INDEX ?= index
# When the demo pages were crawled: their teasers' relative ages ("2 hours ago") count back
# from it, so the demo's timeline is the same on any day it is cloned (docs/samples.md).
SAMPLES_CRAWLED_AT := 2025-12-20T12:00:00Z

.PHONY: install demo serve test lint bench-build

$(BIN)/newsdex: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

install: $(BIN)/newsdex

# Install, build index/ from the demo pages, then serve the site on http://127.0.0.1:8000
# (in the foreground: Ctrl-C stops it).
demo: install
	$(BIN)/newsdex build samples --index $(INDEX) --crawled-at $(SAMPLES_CRAWLED_AT)
	$(BIN)/newsdex stats --index $(INDEX)
	$(MAKE) --no-print-directory serve

# Serve the index in $(INDEX) with gunicorn (settings: gunicorn.conf.py).
serve: install
	@echo "newsdex: serving $(INDEX)/ on http://127.0.0.1:8000 (Ctrl-C to stop)"
	NEWSDEX_INDEX_DIR=$(abspath $(INDEX)) $(BIN)/gunicorn -c gunicorn.conf.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest

bench-build: install
	$(BIN)/python bench/build_bench.py
