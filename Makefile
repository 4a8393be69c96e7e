# Two commands on a fresh machine with Python 3.10+:
#   make lab    a virtual environment with the notebook extras, and JupyterLab on the lessons
#   make test   a virtual environment with the dev extras, and the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: lab test bench bench-server bench-client bench-ws bench-gen check clean

# Each stamp records which extras are installed; pyproject.toml changing reinstalls.
$(VENV)/.stamp-notebook: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[notebook]'
	touch $@

$(VENV)/.stamp-dev: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.stamp-notebook

lab: $(VENV)/.stamp-notebook
	$(BIN)/jupyter lab notebooks/

test: $(VENV)/.stamp-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(VENV)/.stamp-dev
	$(BIN)/python ../shared/tools/check_layers.py || true

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
