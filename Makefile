# POA: `make run` serves the app with the reference data and demo users; `make test` runs the suite;
# `make serve` runs it in production (gunicorn) against DATABASE_URL, SECRET_KEY... (README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
BROWSER_PACKAGES := chromium
PDF_TOOLS := poppler-utils
HOST ?= 127.0.0.1:8000
# The suite runs on every core (pytest-xdist); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto

# The development server and the demo run with DEBUG (and its development key) unless told, and
# sign with the demo's e.firma, whose throw-away authority they trust (README, «Firma electrónica»);
# their links (the sealed sheets' QR codes) follow the address the server answers on.
DEV := DEBUG=$${DEBUG:-1} POA_FIRMA_ELECTRONICA=$${POA_FIRMA_ELECTRONICA:-1} \
	POA_FIRMA_RAICES=$${POA_FIRMA_RAICES:-demo-efirma/ac} POA_SITE_URL=$${POA_SITE_URL:-http://$(HOST)}

.PHONY: run serve test bench loadtest lint format system-deps browser-deps demo clean

# The web server and, beside it, the worker of the background jobs (emails, kept sheets,
# ZIPs of every sheet); stopping the server (Ctrl+C) stops the worker too.
run: $(VENV)/.installed
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py poa_demo
	export $(DEV); \
	$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' INT TERM EXIT; \
	$(BIN)/python manage.py runserver $(HOST)

# Production: the environment gives DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS... (README, Producción).
serve: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/gunicorn --config gunicorn.conf.py poa.wsgi

test: $(VENV)/.installed-dev browser-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

# The sheet at 20, 200 and 2,000 metas, every sheet of a generated municipality at once, then
# what the seal and the e.firma add to a sign-off and a sealed PDF served to 4 clients, then
# seguimiento, planeación's home and the programming at 20, 2,000 and 6,400 metas, then the CPU
# and queries of each kind of request of the load test.
bench: $(VENV)/.installed-dev
	status=0; \
	$(BIN)/python -m tests.bench_sheet || status=1; \
	$(BIN)/python -m tests.bench_batch || status=1; \
	$(BIN)/python -m tests.bench_seal || status=1; \
	$(BIN)/python -m tests.bench_scale || status=1; \
	$(BIN)/python -m tests.bench_requests || status=1; \
	exit $$status

# 50 capturistas and 5 reviewers against gunicorn on a throw-away PostgreSQL database for about
# 90 s (LOADTEST_SECONDS); fails when a request errs, an update is lost or mixed up, or saving
# the grid takes 300 ms or more at p95 (README, "Prueba de carga"). SATURATE=1: everybody
# logs in at once and nobody pauses; fails below 45 requests/s or past 1.5 s p95 to save.
# Its own status (make shows it as «Error N»): 1 when a target was missed, 3 without PostgreSQL.
loadtest: $(VENV)/.installed
	$(if $(SATURATE),LOADTEST_SATURATE=$(SATURATE) )$(BIN)/python -m tests.loadtest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Debian/Ubuntu libraries WeasyPrint draws with; installed when we are root, named otherwise.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  elif command -v sudo >/dev/null; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Instale con apt-get:$$missing"; fi; \
	fi

# Chromium for the browser tests, and poppler's pdfsig and pdftoppm, with which the tests read
# the sealed and signed PDFs as an outside reader would; where they cannot be installed, those
# tests are skipped and say so.
browser-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing $(BROWSER_PACKAGES)"; \
	command -v pdfsig >/dev/null 2>&1 || missing="$$missing $(PDF_TOOLS)"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Sin$$missing: las pruebas que los usan se omitirán (apt-get install$$missing)."; fi; \
	fi

$(VENV)/bin/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  rm -rf $(VENV); \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
	  else echo "Falta el módulo venv de Python: apt-get install python3-venv"; exit 1; fi; \
	  $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python system-deps
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python system-deps
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py poa_demo

clean:
	rm -rf $(VENV) staticfiles .pytest_cache test-artifacts
