# Two commands matter: `make run` and `make test`. Both create and fill .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Another configuration: make run CONFIG=path/to/feeds.yaml
CONFIG ?= feeds.yaml

.PHONY: run test bench lint check clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "rasd needs Python 3.11 or newer"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,native]'
	@touch $(STAMP)

# The detector compiled with mypyc; `rasd compile` leaves it plain Python when it cannot compile.
NATIVE := $(VENV)/rasd-native/sources.sha256
$(NATIVE): $(STAMP) $(wildcard worker/detect/*.py)
	$(BIN)/rasd compile

run: $(STAMP) $(NATIVE)
	$(BIN)/rasd run --config $(CONFIG)

test: $(STAMP) $(NATIVE)
	$(BIN)/ruff check worker alerts tests bench
	$(BIN)/python -m pytest -q

bench: $(STAMP) $(NATIVE)
	$(BIN)/python -m bench

check: $(STAMP)
	$(BIN)/rasd check --config $(CONFIG)

clean:
	rm -rf $(VENV) var .pytest_cache
