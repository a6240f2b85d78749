# HBMM — two commands do everything: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO ?= 1
WORKERS ?= 2
PYTEST_ARGS ?=
# Data (var/: database, secret key, uploads) lives beside this Makefile, wherever a recipe cds.
export HBMM_HOME ?= $(CURDIR)

.PHONY: install run serve setup test lint typecheck typecheck-baseline format messages messages-extract

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# Compile translations when gettext is present; the compiled .mo files are also committed,
# so a machine without gettext still gets French and English. msgfmt directly (as
# `hbmm compilemessages` does) takes milliseconds, where starting Django per app takes seconds.
messages:
	@if command -v msgfmt >/dev/null; then for po in src/hbmm/*/locale/*/LC_MESSAGES/django.po src/hbmm/locale/*/LC_MESSAGES/django.po; do \
		msgfmt --check-format -o $${po%.po}.mo $$po || exit 1; done; fi

# Collect static files again only when they (or the installed packages) changed: the
# compressing storage takes seconds, and a second `make run` should not wait for it.
STATIC_DIR := $(or $(STATIC_ROOT),$(or $(HBMM_VAR_DIR),var)/static)
STATIC_SOURCES := $(shell find src/hbmm -path '*/static/*' -type f 2>/dev/null)
$(STATIC_DIR)/.collected: $(BIN)/.installed $(STATIC_SOURCES)
	$(BIN)/hbmm collectstatic --noinput -v0
	touch $@

# Extract the strings to translate of every app into its own locale/fr/LC_MESSAGES/django.po,
# and those of the shared modules outside apps (src/hbmm/*.py: tabular.py...; the packages
# without apps.py: presentation/) into src/hbmm/locale (settings.LOCALE_PATHS).
messages-extract: install
	for d in src/hbmm/*/; do if [ -f $$d/apps.py ]; then mkdir -p $$d/locale && \
		(cd $$d && $(CURDIR)/$(BIN)/hbmm makemessages -l fr --no-obsolete -v0) || exit 1; fi; done
	mkdir -p src/hbmm/locale && cd src/hbmm && $(CURDIR)/$(BIN)/hbmm makemessages -l fr \
		--no-obsolete -v0 $$(for d in */; do [ -f $$d/apps.py ] && printf -- '-i %s ' "$${d%/}"; done)

# migrate, load_reference, ensure_admin and (unless DEMO=0) demo, in one process.
setup: install messages $(STATIC_DIR)/.collected
	$(BIN)/hbmm setup $(if $(filter 0,$(DEMO)),--no-demo)

run: setup serve

# gunicorn and one background worker (`hbmm worker`: imports, pulls, e-mails, PDF reports) in
# one process group: Ctrl-C (or a signal to the group) stops both; the worker finishes the job
# it is running first, and a job cut short is run again by the next worker that starts.
serve:
	@echo "HBMM is serving on http://$(HOST):$(PORT)/ with a background worker (Ctrl-C stops both)"
	@$(BIN)/hbmm worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn hbmm.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--threads 4 --timeout 120 --access-logfile - --forwarded-allow-ips='127.0.0.1'

test: install messages
	STATICFILES_STORAGE=django.contrib.staticfiles.storage.StaticFilesStorage \
		$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# ruff (lint, format), imports inside functions only with a reason or in the shrinking baseline
# (tools/function_imports.py), and the import contracts of pyproject.toml ([tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tools/function_imports.py
	$(BIN)/lint-imports --no-cache

# mypy over src/hbmm: fails on an error that tools/mypy-baseline.txt does not list, and on one it
# lists that is gone. `make typecheck-baseline` rewrites the baseline (after a fix, a move).
typecheck: install
	$(BIN)/python tools/typecheck.py

typecheck-baseline: install
	$(BIN)/python tools/typecheck.py --update

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
