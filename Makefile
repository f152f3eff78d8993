# bmdsim — two commands: `make demo` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: demo test fuzz bench lint clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,fuzz]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/bmdsim demo --out out

test: $(STAMP)
	$(BIN)/python -m pytest

# about ten minutes: the hypothesis campaign on the command line (tests/test_fuzz_cli.py: 5 min in-process,
# then 30 subprocess cases), then atheris on the file loaders (tools/fuzz_loaders.py: 3 min, 2 GiB RSS limit)
FUZZ_CLI_SECONDS ?= 300
FUZZ_LOADER_SECONDS ?= 180
fuzz: $(STAMP)
	mkdir -p out
	BMDSIM_FUZZ_SECONDS=$(FUZZ_CLI_SECONDS) $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/test_fuzz_cli.py
	$(BIN)/python tools/fuzz_loaders.py -max_total_time=$(FUZZ_LOADER_SECONDS) -rss_limit_mb=2048 \
		-artifact_prefix=out/fuzz- -print_final_stats=1

bench: $(STAMP)
	@for b in benchmarks/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
