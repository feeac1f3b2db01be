# Two commands set everything up on a fresh Debian machine with Python 3.11:
#   make demo   the pipeline over a demo Maildir of sample submissions
#   make test   system packages the tests need, then every test
#   make bench  the benchmark (minutes): figures in bench/RESULTS.md
#   make accuracy  the accuracy corpus (issue 18): a table per campaign and authoring route
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow bench accuracy system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV) || { .ci/system-packages python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# The demo config starts in review mode, as a new deployment does: the demo holds its replies,
# then approves them all, which writes them to var/outbox/; last, how to open the console.
demo: $(STAMP)
	$(BIN)/intake demo
	$(BIN)/intake outbox approve --all --by demo
	$(BIN)/intake demo --console-account

# Ratios against a floor measured in the same run; BENCH_ARGS='--count 50' for a shorter one.
bench: $(STAMP) system-deps
	$(BIN)/python -m bench $(BENCH_ARGS)

# Every campaign's form made every way applicants make it, read back (`make test` runs it too).
accuracy: $(STAMP) system-deps
	$(BIN)/python -m tests.accuracy

system-deps:
	.ci/system-packages

# The layers first (contracts in pyproject.toml, seconds), then every test.
test: $(STAMP) system-deps
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -m "not slow"

test-slow: $(STAMP) system-deps
	$(BIN)/python -m pytest -m slow

clean:
	rm -rf var $(VENV)
