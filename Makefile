# zkats: the two commands a newcomer runs are `make demo` and `make test`.
# Each installs what it needs first (a venv with zkats and its C extension,
# and the npm peers used by the interop tests).
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.zkats-installed
NPMSTAMP := node_modules/.zkats-npm-installed
# Debian packages the server tests run for real (PostgreSQL, a headless
# browser); installed once per checkout (as root, or through sudo).
SYSPKGS := postgresql chromium chromium-driver
SYSSTAMP := $(VENV)/.zkats-system-packages
PYTEST_ARGS ?= --durations=25

.PHONY: demo test test-all install peers native bench sanitize clean vectors system lint chain-artifacts

demo: install
	$(BIN)/zkats demo

# The test suite runs at the small venue size (zkats' default is production;
# tests/conftest.py sets the same, for pytest run by hand).
test: install peers system lint
	ZKATS_VENUE_SIZE=ci $(BIN)/python -m pytest $(PYTEST_ARGS)

test-all: install peers system
	ZKATS_VENUE_SIZE=ci $(BIN)/python -m pytest -m "" $(PYTEST_ARGS)

install: $(STAMP)

# The checkout is installed editable with a static .pth (setuptools'
# editable_mode=compat) instead of the default import hook, which every
# Python start-up imports (about 25 ms of each `zkats` command); zkats'
# __init__ maps circuits/ to zkats.circuits itself (zkats/__init__.py).
EDITABLE := -e . --config-settings editable_mode=compat

$(STAMP): pyproject.toml setup.py native/*.c native/bin/*.c native/*.h native/*.cdef native/build_native.py
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,evm,server,server-test,cluster,lint]' \
	  --config-settings editable_mode=compat
	touch $@

system: $(SYSSTAMP)

$(SYSSTAMP): | $(STAMP)
	@SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
	$$SUDO apt-get -o DPkg::Lock::Timeout=600 update -q && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get -o DPkg::Lock::Timeout=600 \
	  install -y -q $(SYSPKGS) >/dev/null
	touch $@

peers: $(NPMSTAMP)

$(NPMSTAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# ruff (lint, format), mypy on zkats/ and the import-linter layer contract
# (configured in pyproject.toml).  mypy and import-linter read the package as
# it is installed, with circuits/ as zkats.circuits: a copy in build/lint
# (mypy's messages name the files by their paths in the repository).
LINT_PATHS := zkats circuits tests bench vectors
LINT_TREE := build/lint
ABSBIN := $(abspath $(BIN))
lint: install
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	rm -rf $(LINT_TREE) && mkdir -p $(LINT_TREE)
	tar -cf - --exclude=__pycache__ --exclude='*.so' --exclude=_native.c zkats | tar -xf - -C $(LINT_TREE)
	tar -cf - --exclude=__pycache__ circuits | tar -xf - -C $(LINT_TREE)/zkats
	cd $(LINT_TREE) && { $(ABSBIN)/mypy --config-file $(CURDIR)/pyproject.toml \
	  --cache-dir $(CURDIR)/build/.mypy_cache zkats > mypy.out; rc=$$?; \
	  sed 's#^zkats/circuits/#circuits/#' mypy.out; exit $$rc; }
	cd $(LINT_TREE) && $(ABSBIN)/lint-imports --no-cache $(CURDIR)/pyproject.toml

# Rebuild the C extension in place after editing native/ (pip install -e
# does not watch the C sources).
native:
	$(BIN)/python -m pip install -q 'setuptools>=77' wheel 'cffi>=1.16'
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation $(EDITABLE)
	touch $(STAMP)

# The compiled contracts `zkats chain` ships (zkats/chain/artifacts.json):
# rebuild after editing contracts/*.sol or the verifier template
# (tests/test_chain_artifacts.py fails while the file is stale).
chain-artifacts: install peers
	$(BIN)/python -m zkats.chain.artifacts

bench: install peers
	$(BIN)/zkats bench

vectors: install peers
	$(BIN)/python vectors/regenerate.py

clean:
	rm -rf build *.egg-info zkats/_native*.so zkats/_native.c zkats/zkats-prove

# ---- hardening (docs/hardening.md) ---------------------------------------
# The C extension built with sanitizers into its own venv (.venv-asan,
# .venv-asan-adx, .venv-tsan): the package is installed there non-editable,
# so the main .venv build is never touched; numpy, cffi, pytest... come from
# .venv through a .pth line.  Python is not instrumented, so the sanitizer
# runtime is LD_PRELOADed and leak detection is off (CPython's own
# allocations would drown it).  `make sanitize` runs two builds:
#   1. ASan + UBSan on the portable C path (ZKATS_NATIVE_PORTABLE=1): gcc
#      cannot fit UBSan's instrumentation around the inline asm, so
#      -DZKATS_NO_ASM selects the C arithmetic;
#   2. ASan alone on the -march=native build with the ADX asm.
SAN_TESTS ?= tests/test_native_*.py
SAN_PYTEST ?= -q -p no:cacheprovider
CC ?= cc
comma := ,
ASAN_LIB = $(shell $(CC) -print-file-name=libasan.so)
TSAN_LIB = $(shell $(CC) -print-file-name=libtsan.so)
TSAN_ENV = LD_PRELOAD=$(TSAN_LIB) TSAN_OPTIONS=halt_on_error=1:report_signal_unsafe=0
SAN_RUN = bin/python -m pytest $(SAN_PYTEST) $(addprefix $(CURDIR)/,$(wildcard $(SAN_TESTS)))
ASAN_ENV = LD_PRELOAD=$(ASAN_LIB) ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# $(1) venv, $(2) CFLAGS, $(3) LDFLAGS, $(4) build environment, $(5) run environment
# The build runs on a copy of the sources in $(1)/src: setuptools would
# otherwise reuse an extension left in ./build by another build's flags.
define san_venv
	rm -rf $(1)
	$(BIN)/python -m venv --without-pip $(1)
	$(BIN)/python -c "import site; print(site.getsitepackages()[0])" \
	  > $$($(1)/bin/python -c "import site; print(site.getsitepackages()[0])")/zkats-main-venv.pth
	mkdir -p $(1)/src
	tar -cf - --exclude=./build --exclude='./.venv*' --exclude=./node_modules --exclude=./.git \
	  --exclude=./bench/_work --exclude=./out --exclude=./.cache --exclude=./.hypothesis \
	  --exclude='*.so' --exclude='*.o' --exclude='*.egg-info' --exclude=zkats/_native.c . \
	  | tar -xf - -C $(1)/src
	cd $(1)/src && $(4) ZKATS_NATIVE_CFLAGS="$(2)" ZKATS_NATIVE_LDFLAGS="$(3)" \
	  ../bin/python -m pip install -q --no-deps --no-build-isolation --no-cache-dir .
	cd $(1) && $(5) bin/python -c "import zkats._native as n, sys; \
	  sys.exit(0 if '$(1)' in n.__file__ else 'zkats._native not from $(1): ' + n.__file__)"
endef

sanitize: install
	$(call san_venv,.venv-asan,-fsanitize=address$(comma)undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -DZKATS_NO_ASM -O1 -g,-fsanitize=address$(comma)undefined,ZKATS_NATIVE_PORTABLE=1,$(ASAN_ENV))
	cd .venv-asan && $(ASAN_ENV) $(SAN_RUN)
	$(call san_venv,.venv-asan-adx,-fsanitize=address -O1 -g,-fsanitize=address,,$(ASAN_ENV))
	cd .venv-asan-adx && $(ASAN_ENV) $(SAN_RUN)

# (the npm peers are left out: the preloaded runtime would follow node into
# its subprocesses and report races inside V8)
tsan: install
	$(call san_venv,.venv-tsan,-fsanitize=thread -DZKATS_NO_ASM -O1 -g,-fsanitize=thread,ZKATS_NATIVE_PORTABLE=1,$(TSAN_ENV))
	cd .venv-tsan && $(TSAN_ENV) $(SAN_RUN) -m "not slow and not peers"

.PHONY: tsan fuzz

# Longer parser fuzzing (the CI run uses 100 hypothesis examples per reader).
FUZZ_EXAMPLES ?= 3000
fuzz: install
	ZKATS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/test_fuzz_parsers.py
