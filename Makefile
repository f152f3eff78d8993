# bmdsim — two commands: `make demo` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
# the explorer's page (bmdsim serve): npm packages from the lock file, built into the package
WEB_STATIC := src/bmdsim/web/static
WEB_STAMP  := $(WEB_STATIC)/.built
NPM_STAMP  := web/node_modules/.installed
WEB_SRC    := $(wildcard web/src/*) web/build.mjs

.PHONY: demo test slow fuzz e2e web chromium bench lint clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,fuzz]'
	touch $(STAMP)

$(NPM_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

$(WEB_STAMP): $(NPM_STAMP) $(WEB_SRC)
	cd web && node build.mjs
	touch $(WEB_STAMP)

web: $(WEB_STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser of its own)
chromium:
	@test -x /usr/bin/chromium || { test "$$(id -u)" = 0 && apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } || \
	  { echo "make: /usr/bin/chromium is missing: install Debian's chromium package (as root)"; exit 1; }

demo: $(STAMP) $(WEB_STAMP)
	$(BIN)/bmdsim demo --out out

# the whole suite, with a short browser smoke test of the explorer (tests/e2e without BMDSIM_E2E)
test: $(STAMP) $(WEB_STAMP) chromium
	$(BIN)/python -m pytest -n 2 --dist loadfile

# the long reference runs left out of make test (pytest marker `slow`)
slow: $(STAMP)
	$(BIN)/python -m pytest -m slow -n 2 --dist loadfile

# about ten minutes: the hypothesis campaign on the command line (tests/test_fuzz_cli.py: 5 min in-process,
# then 30 subprocess cases), then atheris on the file loaders (tools/fuzz_loaders.py: 3 min, 2 GiB RSS limit)
FUZZ_CLI_SECONDS ?= 300
FUZZ_LOADER_SECONDS ?= 180
fuzz: $(STAMP)
	mkdir -p out
	BMDSIM_FUZZ_SECONDS=$(FUZZ_CLI_SECONDS) $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/test_fuzz_cli.py
	$(BIN)/python tools/fuzz_loaders.py -max_total_time=$(FUZZ_LOADER_SECONDS) -rss_limit_mb=2048 \
		-artifact_prefix=out/fuzz- -print_final_stats=1

# the explorer's whole flow in a real browser (headless Chromium)
e2e: $(STAMP) $(WEB_STAMP) chromium
	BMDSIM_E2E=1 $(BIN)/python -m pytest tests/e2e

bench: $(STAMP) $(WEB_STAMP) chromium
	@for b in benchmarks/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis $(WEB_STATIC) web/node_modules
