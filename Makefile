# Two commands for a fresh Debian machine:  `make demo`  and  `make test`.
# Both install what they need (Debian chromium + NSS tools, npm assets, the Python venv) and are safe to re-run.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system-deps browser-user demo test check bench soak lint clean

setup: system-deps browser-user node_modules/.installed $(VENV)/.installed $(VENV)/share/cookieaudit/filterlists/filterlist.json

system-deps:
	@pkgs=""; \
	[ -x /usr/lib/chromium/chromium ] || pkgs="$$pkgs chromium"; \
	command -v certutil >/dev/null || pkgs="$$pkgs libnss3-tools"; \
	command -v pdftoppm >/dev/null || pkgs="$$pkgs poppler-utils"; \
	command -v npm >/dev/null || pkgs="$$pkgs nodejs npm"; \
	if [ -n "$$pkgs" ]; then \
	  echo "installing Debian packages:$$pkgs"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$pkgs >/dev/null; \
	fi

# When run as root (CI containers), Chromium runs as this unprivileged system user so its renderer sandbox stays on
# (issue 16; browse/chromium.py switches to it with setpriv and creates it itself if this step was skipped).
# Idempotent; not needed without root (the browser then runs as the calling user, sandboxed).
browser-user:
	@if [ "$$(id -u)" = 0 ] && ! id -u cookieaudit-browser >/dev/null 2>&1; then \
	  echo "creating the system user cookieaudit-browser (runs the audited browser, sandboxed)"; \
	  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
	    --comment "cookieaudit audited browser" cookieaudit-browser || id -u cookieaudit-browser >/dev/null; \
	fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# Optional tracking filter list (AdGuard Tracking Protection, GPL-3.0): fetched with `npm pack` into the venv at
# setup time, never committed; scans work without it (the report says so).
$(VENV)/share/cookieaudit/filterlists/filterlist.json: $(VENV)/.installed
	-$(BIN)/python -m cookieaudit.kb install-filterlist

# exit code 1 means "findings at or above --fail-on": expected for the demo world's planted violations
demo: setup
	@$(BIN)/cookieaudit demo; rc=$$?; \
	if [ $$rc -eq 1 ]; then echo "(exit code 1: the demo world's planted violations were found, as intended)"; exit 0; fi; \
	exit $$rc

# The fast loop (no browser, no server; about 30 s): lint, types of the whole package, and every pure test.
check: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src/cookieaudit
	$(BIN)/pytest -q -m "not browser and not server"

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src/cookieaudit

# Every test. TEST_WORKERS=1 (the default, what CI runs): one process, in file order, with the slowest tests listed.
# TEST_WORKERS=N: first everything not marked `alone` on N pytest-xdist workers (whole modules per worker, so a
# module's world or scan is built once; tests/conftest.py shares one demo world and one demo scan between them), then
# the `alone` tests by themselves (time budgets, timed latency, counts of the machine's processes and temp entries:
# parallel neighbours would make them fail for the wrong reason). On 2 cores the suite is bound by CPU, so N=3 saves
# only a few minutes (measured: README, For developers).
# `make test` lints first (ruff, mypy on the whole package): CI runs it, so types and lint are enforced there too.
TEST_WORKERS ?= 1
test: setup lint
	@if [ "$(TEST_WORKERS)" = 1 ]; then exec $(BIN)/pytest -q --durations=15; fi; \
	rc=0; \
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadscope -m "not alone" --durations=15 || rc=$$?; \
	$(BIN)/pytest -q -m alone --durations=10 || rc=$$?; \
	exit $$rc

bench: setup
	$(BIN)/python benchmarks/bench_scan.py

# 20 consecutive scans in one process + 3 in parallel processes: no growth in memory, temp files, processes, fds
soak: setup
	$(BIN)/python benchmarks/soak.py

clean:
	rm -rf $(VENV) node_modules reports/run-*
