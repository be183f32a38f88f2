# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# Embedded PostgreSQL and Redis are started unless DATABASE_URL / REDIS_URL are set.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
# Python 3.12+: pyenv's interpreter named in .python-version, else python3.12 / python3 on PATH.
PYTHON ?= $(shell (command -v pyenv >/dev/null && pyenv which python 2>/dev/null) \
	|| ls $$HOME/.pyenv/versions/$$(cat .python-version)/bin/python 2>/dev/null \
	|| command -v python3.12 || command -v python3)
VENDOR := static/vendor

.PHONY: run test lint install assets browser migrate demo check clean

run: install
	$(PY) -m devtools.run

test: install browser lint
	$(PY) -m devtools.services exec -- $(PY) -m pytest $(PYTEST_ARGS)

# The layers (an import from a higher app fails, naming the file and line) and the style.
lint: install
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .

install: $(VENV)/.installed assets

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
		echo "Rotamatch needs Python 3.12 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." >&2; \
		echo "Install it (pyenv install 3.12) or run: make PYTHON=/path/to/python3.12 ..." >&2; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,test]'
	touch $@

assets: $(VENDOR)/htmx.min.js $(VENDOR)/pico.min.css

$(VENDOR)/htmx.min.js $(VENDOR)/pico.min.css: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/pico.min.css

# Debian's Chromium for the Playwright browser tests (`playwright install` cannot download here).
browser:
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

check: install
	$(PY) -m devtools.services exec -- $(PY) manage.py check

clean:
	-$(PY) -m devtools.services down
	rm -rf .dev $(VENV) node_modules $(VENDOR) staticfiles
