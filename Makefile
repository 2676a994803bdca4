# oss-scout: two commands from a fresh clone.
#   make demo   - the whole bot offline: generate a vLLM week, serve it, collect, train, classify, report
#   make test   - the test suite (SQLite; PostgreSQL too when SCOUT_TEST_POSTGRES_URL is set, as .ci/run does)
#   make lint   - ruff (line length 120) and mypy
#   make bench  - every benchmark at a small scale (python -m benchmarks.run; full runs in benchmarks/*.md)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/scout demo --out demo-out

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) demo-out bench-out .pytest_cache
