# Two commands set everything up on a fresh Debian machine with Python 3.11:
#   make demo   the pipeline over a demo Maildir of sample submissions
#   make test   system packages the tests need, then every test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV) || { .ci/system-packages python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/intake demo

system-deps:
	.ci/system-packages

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -m "not slow"

test-slow: $(STAMP) system-deps
	$(BIN)/python -m pytest -m slow

clean:
	rm -rf var $(VENV)
