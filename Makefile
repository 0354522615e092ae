# The two commands a new user needs: `make demo` and `make test`.
# Both create .venv when missing and install the project into it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The lab is meant to contain faults: the report exits 1-3 by design (Nagios codes),
# so the demo succeeds whenever a report was produced (exit 0-3).
demo: $(STAMP)
	@$(BIN)/ipsec-ops health --lab; rc=$$?; \
	if [ $$rc -le 3 ]; then echo; echo "(health exit code $$rc: 0 all up, 1 degraded, 2 down, 3 unknown)"; \
	else exit $$rc; fi

lint: $(STAMP)
	$(BIN)/ruff check ipsec_ops tests $(wildcard bench)
	$(BIN)/ruff format --check ipsec_ops tests $(wildcard bench)

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck unit

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
