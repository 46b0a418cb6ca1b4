# Two commands do everything on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: serve test install dev translations translations-update migration clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/pybabel compile -d translations --use-fuzzy >/dev/null 2>&1 || true
	touch $(STAMP)

install: $(STAMP)

## Set up (first time), then prepare the site and serve it on http://127.0.0.1:8000/
serve: $(STAMP)
	$(BIN)/pybabel -q compile -d translations
	$(BIN)/hub serve

## Set up (first time), then run the whole test suite (browser tests included when Chromium is installed)
test: $(STAMP)
	$(BIN)/pybabel -q compile -d translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Development server with reload
dev: $(STAMP)
	$(BIN)/hub setup
	$(BIN)/flask --app wsgi run --debug

## Extract new UI strings and merge them into every catalogue
translations-update: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k pgettext:1c,2 -k lazy_pgettext:1c,2 -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

translations: $(STAMP)
	$(BIN)/pybabel compile -d translations

## New Alembic revision from model changes: make migration m="what changed"
migration: $(STAMP)
	HUB_INSTANCE_PATH=$$(mktemp -d) sh -c '$(BIN)/flask --app wsgi db upgrade && $(BIN)/flask --app wsgi db migrate -m "$(m)"'

clean:
	rm -rf $(VENV) instance .pytest_cache
