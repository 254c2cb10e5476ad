# The two commands of the README: `make run` and `make test`. Everything else helps them.
PYTHON ?= python3
# `make run PORT=5001` serves on another port; links in mail follow unless PUBLIC_BASE_URL is set.
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test lint translations translations-check compile-translations bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.installed-app

compile-translations: $(VENV)/.installed-app
	$(BIN)/pybabel compile --use-fuzzy -d translations --statistics 2>&1 | grep -v '^compiling' || true
	@$(BIN)/pybabel compile -d translations -f >/dev/null

run: $(VENV)/.installed-app compile-translations
	$(BIN)/flask init-db
	$(BIN)/flask demo-data --if-empty
	@echo
	@echo "Föreningen is served on http://127.0.0.1:$(PORT) (Ctrl-C stops it)."
	@echo "Demo accounts use the password printed above by demo-data (default: demo-forening-2026)."
	PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)}" \
		$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.installed-test compile-translations lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff, and the import contracts (pyproject.toml): the core imports no feature; a feature
# uses another only through its services, queries, policy or signals.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check foreningen tests bench scripts migrations/env.py wsgi.py gunicorn.conf.py
	$(BIN)/lint-imports --no-cache

# Extract message ids, merge them into every catalog and compile.
translations: $(VENV)/.installed-app
	$(BIN)/pybabel extract -F translations/babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --ignore-dirs '.*' --no-location --sort-output --width 100 --project Föreningen .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete --width 100
	$(BIN)/pybabel compile -d translations

# The load benchmark (bench/load.py): gunicorn with production settings, measured with wrk
# (apt-get install wrk). `make bench BENCH_ARGS='--pages register --duration 10'`.
bench: $(VENV)/.installed-test compile-translations
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
