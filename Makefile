# Two commands do everything on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: serve test lint install dev bench generate translations translations-update migration upgrade-deps clean

# Installs exactly the versions in constraints.txt (tested in CI); `make upgrade-deps` renews them.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Set up (first time), then prepare the site and serve it on http://127.0.0.1:8000/
serve: $(STAMP)
	$(BIN)/hub serve

## Set up (first time), then lint, type-check and run the whole test suite (browser tests
## included when Chromium is installed; tests/server starts `make serve` itself)
test: $(STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## ruff (lint and import order) and mypy (types) on the code
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

## Newest versions pyproject.toml allows, tested here, written to constraints.txt
upgrade-deps:
	rm -rf .venv-upgrade && $(PYTHON) -m venv .venv-upgrade
	.venv-upgrade/bin/python -m pip install --quiet --upgrade pip
	.venv-upgrade/bin/python -m pip install --quiet -e '.[test]'
	.venv-upgrade/bin/python -m pip freeze --exclude-editable --exclude inclusion-hub > constraints.txt
	rm -rf .venv-upgrade
	@echo "constraints.txt updated: run make test, then commit it"

## Load benchmark on a generated site (needs wrk: apt-get install wrk); BENCH_ARGS="--size L --compare S"
bench: $(STAMP)
	@command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk"; exit 1; }
	$(BIN)/python bench/load.py $(BENCH_ARGS)

## Fill the site in HUB_INSTANCE_PATH with generated data: make generate SIZE=M
generate: $(STAMP)
	$(BIN)/hub generate --size $(or $(SIZE),S)

## Development server with reload
dev: $(STAMP)
	$(BIN)/hub setup
	$(BIN)/flask --app wsgi run --debug

## Extract new UI strings and merge them into every catalogue
translations-update: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext -k pgettext:1c,2 -k lazy_pgettext:1c,2 -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

translations: $(STAMP)
	$(BIN)/pybabel compile -d translations

## New Alembic revision from model changes: make migration m="what changed"
migration: $(STAMP)
	HUB_INSTANCE_PATH=$$(mktemp -d) sh -c '$(BIN)/flask --app wsgi db upgrade && $(BIN)/flask --app wsgi db migrate -m "$(m)"'

clean:
	rm -rf $(VENV) instance .pytest_cache
