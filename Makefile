PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
INDEX ?= .shopseek/demo-index

.PHONY: install demo test lint bench clean

$(BIN)/shopseek: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/shopseek

install: $(BIN)/shopseek

demo: install
	$(BIN)/shopseek demo --index $(INDEX) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/mypy src benchmarks tools
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -q

bench: install
	for b in quality_fashion speed ingest_speed; do PYTHONPATH=. $(BIN)/python -m benchmarks.$$b || exit 1; done
	PYTHONPATH=. $(BIN)/python -m benchmarks.write_docs

clean:
	rm -rf $(VENV) .shopseek .pytest_cache .mypy_cache .ruff_cache
