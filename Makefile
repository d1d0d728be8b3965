# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run chat test lint bench check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Chat with the bot in the terminal (or run it on Telegram when TELEGRAM_BOT_TOKEN is set).
run: $(STAMP)
	$(BIN)/khuyenhoc run

chat: $(STAMP)
	$(BIN)/khuyenhoc chat

## Lint, validate content, and run all tests (SQLite and PostgreSQL).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/khuyenhoc content check
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

## Speed and memory targets.
bench: $(STAMP)
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) data .pytest_cache
