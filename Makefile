# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The window on its embedded server (SQLite in the user data dir); no configuration.
run: $(STAMP)
	$(BIN)/folio

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q
	$(BIN)/ruff check .
	$(BIN)/lint-imports

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/api_throughput.py
	$(BIN)/python bench/convert.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/feed_import.py
	$(BIN)/python bench/ui_responsiveness.py
	$(BIN)/python bench/editor.py

clean:
	rm -rf $(VENV) build dist *.egg-info
