# Babillard: `make run` serves the site, `make test` runs every check.
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/babillard
REDIS_URL ?= redis://127.0.0.1:6379/1
export BABILLARD_HOME ?= $(CURDIR)/var

.PHONY: run demo install install-test test lint test-sqlite test-postgres system-packages messages bench bench-quick chaos soak clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/babillard migrate --no-input
	$(VENV)/bin/babillard createadmin
	$(VENV)/bin/babillard serve --host $(HOST) --port $(PORT)

demo: install
	$(VENV)/bin/babillard migrate --no-input
	$(VENV)/bin/babillard demo

system-packages:
	@command -v msgfmt >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext)
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run --settings=babillard.test_settings

# Each pass keeps its files apart, so that `make test` can run both at once.
test-sqlite: export BABILLARD_HOME = $(CURDIR)/var/test-sqlite
test-sqlite: $(VENV)/.installed-test
	$(VENV)/bin/pytest -q

test-postgres: export BABILLARD_HOME = $(CURDIR)/var/test-postgres
test-postgres: $(VENV)/.installed-test
	@bash tools/require-services "$(PG_URL)" "$(REDIS_URL)"; rc=$$?; \
	if [ $$rc -eq 3 ]; then echo "PostgreSQL or Redis not reachable: that run is skipped (CI fails instead)"; \
	elif [ $$rc -ne 0 ]; then exit $$rc; \
	else BABILLARD_DATABASE_URL=$(PG_URL) BABILLARD_REDIS_URL=$(REDIS_URL) $(VENV)/bin/pytest -q -m "not own_databases"; fi

# The SQLite pass and the PostgreSQL + Redis pass run side by side; each one's output is
# printed whole when it ends.
test: system-packages lint
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

messages: $(VENV)/.installed-test
	cd babillard && ../$(VENV)/bin/django-admin makemessages -l fr -l en --no-obsolete --no-location
	cd babillard && ../$(VENV)/bin/django-admin compilemessages

# Benchmarks (docs/benchmarks.md): wrk from Debian's packages drives a real server on loopback;
# the "bench" extra adds the server stacks compared (granian, gunicorn) and pyinstrument.
$(VENV)/.installed-bench: $(VENV)/.installed-test pyproject.toml
	$(PY) -m pip install --quiet -e ".[test,bench]"
	@command -v wrk >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	touch $@

bench: $(VENV)/.installed-bench
	$(PY) -m bench

bench-quick: $(VENV)/.installed-bench
	$(PY) -m bench --quick

# Reliability (docs/reliability.md), not part of `make test`: faults under load on a
# PostgreSQL cluster and a Redis server of their own (root or a tmpfs for the media disk),
# and a long mixed load on both databases.
SOAK_MINUTES ?= 30
chaos: $(VENV)/.installed-bench
	$(PY) -m bench.chaos

soak: $(VENV)/.installed-bench
	$(PY) -m bench.soak --minutes $(SOAK_MINUTES)

clean:
	rm -rf $(VENV) var
