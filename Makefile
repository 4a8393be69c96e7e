# Two commands on a fresh machine with Python 3.10+:
#   make lab    a virtual environment with the notebook extras, and JupyterLab on the lessons
#   make test   a virtual environment with the dev extras, and the whole test suite
# Another Python: `make test PYTHON=python3.10` (or a path) keeps a virtual environment of its
# own, .venv-3.10, so the default .venv (python3's) is left as it is.  VENV= picks any folder.
PYTHON ?= python3
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
ifeq ($(origin PYTHON),command line)
VENV   ?= .venv-$(PYTHON_VERSION)
else
VENV   ?= .venv
endif
BIN    := $(VENV)/bin
PYTEST_ARGS ?=
# Jupyter refuses to start as root (containers, CI machines) unless asked to.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

# The venv is made by $(PYTHON): say so plainly if that is missing or too old.
define make_venv
	@test -n "$(PYTHON_VERSION)" || { echo "PYTHON=$(PYTHON) does not run; point it at Python 3.10 or newer"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { echo "$(PYTHON) is Python $(PYTHON_VERSION); aioteach needs 3.10 or newer"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
endef

.PHONY: lab test test-3.14 lite lessons lessons-3.13 bench bench-server bench-client bench-ws bench-gen check clean

# Each stamp records which extras are installed; pyproject.toml changing reinstalls.
$(VENV)/.stamp-notebook: pyproject.toml
	$(make_venv)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[notebook]'
	touch $@

$(VENV)/.stamp-dev: pyproject.toml
	$(make_venv)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.stamp-notebook

lab: $(VENV)/.stamp-notebook
	$(BIN)/jupyter lab $(LAB_ARGS) notebooks/

test: $(VENV)/.stamp-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The lessons as a static JupyterLite site in build/lite (Pyodide from npm, wheels from PyPI,
# cached in build/lite-cache); serve it with any static server: python -m http.server -d build/lite
lite: $(VENV)/.stamp-dev
	$(BIN)/python -m aioteach lessons --lite build/lite

# Python 3.14 (what Pyodide, so JupyterLite, runs; no CPython 3.14 on these machines): a slice
# of the suite inside Pyodide under Node.js, over the memory transport (tests/memory/pyodide_suite.py)
test-3.14: $(VENV)/.stamp-dev
	$(BIN)/python tests/memory/pyodide_suite.py

# The lessons on another Python: `make lessons PYTHON=~/.pyenv/versions/3.13.0/bin/python3`
# runs tests/lessons in .venv-3.13 with only what the lessons need (the notebook extra, their
# peers aiohttp and tornado, nbclient and pytest); `make lessons-3.13` is that line.
LESSON_PACKAGES := nbclient nbformat pytest pytest-asyncio pytest-timeout aiohttp tornado
PYTHON_313 ?= $(HOME)/.pyenv/versions/3.13.0/bin/python3

$(VENV)/.stamp-lessons: pyproject.toml
	$(make_venv)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[notebook]' $(LESSON_PACKAGES)
	touch $@ $(VENV)/.stamp-notebook

lessons: $(VENV)/.stamp-lessons
	$(BIN)/python -m pytest -p no:cacheprovider tests/lessons $(PYTEST_ARGS)

lessons-3.13:
	$(MAKE) lessons PYTHON=$(PYTHON_313)

# Every check runs (so one run lists every problem) and the target fails if any of them did:
# ruff (rules in pyproject.toml), mypy (--strict's flags on L0/L1, mypy's defaults above them),
# the shared layering check, and the size/layer/lazy-import limits of tests/test_architecture.py.
CHECK_PATHS := aioteach tests benchmarks examples
# aiohttp's own tests (a pinned sdist from PyPI) against aioteach through an import shim, and
# against aiohttp itself as calibration: tools/aiohttp_suite/run.py, docs/aiohttp-tests.md.
aiohttp-tests: $(VENV)/.stamp-dev
	$(BIN)/python tools/aiohttp_suite/run.py $(AIOHTTP_SUITE_ARGS)

check: $(VENV)/.stamp-dev
	@status=0; \
	echo "== ruff";   $(BIN)/ruff check --output-format concise $(CHECK_PATHS) || status=1; \
	echo "== mypy";   $(BIN)/mypy || status=1; \
	echo "== layers"; if [ -f ../shared/tools/check_layers.py ]; then \
	    $(BIN)/python ../shared/tools/check_layers.py || status=1; \
	else echo "no ../shared beside this checkout: the limits below hold the same layering"; fi; \
	echo "== limits"; $(BIN)/python tests/test_architecture.py || status=1; \
	exit $$status

bench: bench-server bench-client bench-ws bench-gen

bench-server: $(VENV)/.stamp-dev
	$(BIN)/python benchmarks/bench_server.py

bench-client: $(VENV)/.stamp-dev
	$(BIN)/python benchmarks/bench_client.py

bench-ws: $(VENV)/.stamp-dev
	$(BIN)/python benchmarks/bench_websocket.py

bench-gen: $(VENV)/.stamp-dev
	$(BIN)/python benchmarks/bench_gen.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
