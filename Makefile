# zkats: the two commands a newcomer runs are `make demo` and `make test`.
# Each installs what it needs first (a venv with zkats and its C extension,
# and the npm peers used by the interop tests).
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.zkats-installed
NPMSTAMP := node_modules/.zkats-npm-installed
PYTEST_ARGS ?=

.PHONY: demo test test-all install peers native bench sanitize clean vectors

demo: install
	$(BIN)/zkats demo

test: install peers
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-all: install peers
	$(BIN)/python -m pytest -m "" $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml setup.py native/*.c native/*.h native/*.cdef native/build_native.py
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,evm]'
	touch $@

peers: $(NPMSTAMP)

$(NPMSTAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Rebuild the C extension in place after editing native/ (pip install -e
# does not watch the C sources).
native:
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

bench: install peers
	$(BIN)/zkats bench

vectors: install peers
	$(BIN)/python vectors/regenerate.py

clean:
	rm -rf build *.egg-info zkats/_native*.so zkats/_native.c
