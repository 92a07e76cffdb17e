# make test  - set everything up, build the extension, run every test for both engines
# make bench - set everything up and run the comparison benchmark
# make test-long - the long reliability variants (threads, leak loop, crash hunt)
# PYTHON picks the interpreter, DJANGO the Django series (e.g. 5.2, 6.1; empty: newest for PYTHON).

PYTHON ?= python3
DJANGO ?=
PYVER := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV ?= .venv/py$(PYVER)-django$(or $(DJANGO),latest)
VPY := $(VENV)/bin/python
DJANGO_REQ := $(if $(DJANGO),django==$(DJANGO).*,django)
STAMP := $(VENV)/.installed

.PHONY: test test-long bench build venv clean

$(STAMP): pyproject.toml setup.py requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -r requirements-dev.txt "$(DJANGO_REQ)"
	touch $(STAMP)

venv: $(STAMP)

build: $(STAMP)
	$(VPY) -m pip install -q --no-build-isolation --no-deps -e .
	$(VPY) -c 'import django, fastsignals, sys; print(f"fastsignals.IMPLEMENTATION = {fastsignals.IMPLEMENTATION} (Python {sys.version.split()[0]}, Django {django.get_version()})")'
	$(VPY) -c 'import fastsignals, sys; sys.exit(fastsignals.IMPLEMENTATION != "cython")' || \
		{ echo "the compiled engine did not build"; exit 1; }

test: build
	$(VPY) -m pytest -q

test-long: build
	$(VPY) -m pytest tests/reliability --long -q

bench: build
	$(VPY) benchmarks/report.py

clean:
	rm -rf .venv build dist src/*.egg-info src/fastsignals/*.so src/fastsignals/_signal_c.c

# make dist  - build the sdist and the wheel; install the wheel in a fresh virtualenv with no C
#              compiler (CC=false) and run the test suite against it, outside the source tree;
#              then install the sdist with no C compiler, and with FASTSIGNALS_NO_EXTENSIONS=1:
#              both must succeed and give the pure-Python engine, which the test suite (but for
#              the tests marked compiled) runs on.
WHEEL_VENV := $(VENV)-wheel
PURE_VENV := $(VENV)-pure
PURE_LOG := $(PURE_VENV)/install.log

.PHONY: dist

dist: $(STAMP)
	$(VPY) -m pip install -q build
	rm -rf dist
	$(VPY) -m build --outdir dist .
	$(PYTHON) -m venv --clear $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pip install -q --upgrade pip
	CC=false $(WHEEL_VENV)/bin/python -m pip install -q --only-binary fastsignals dist/*.whl --group test "$(DJANGO_REQ)"
	$(WHEEL_VENV)/bin/python tools/check_install.py cython --tests-from .
	$(PYTHON) -m venv --clear $(PURE_VENV)
	$(PURE_VENV)/bin/python -m pip install -q --upgrade pip
	FASTSIGNALS_NO_EXTENSIONS=1 $(PURE_VENV)/bin/python -m pip install -v --no-cache-dir dist/*.tar.gz > $(PURE_LOG) 2>&1 || \
		{ cat $(PURE_LOG); exit 1; }
	grep -h "fastsignals: FASTSIGNALS_NO_EXTENSIONS is set" $(PURE_LOG)
	$(PURE_VENV)/bin/python tools/check_install.py python
	CC=false $(PURE_VENV)/bin/python -m pip install -v --no-cache-dir --force-reinstall --no-deps dist/*.tar.gz > $(PURE_LOG) 2>&1 || \
		{ cat $(PURE_LOG); exit 1; }
	grep -h "fastsignals: compiled engine not built" $(PURE_LOG)
	CC=false $(PURE_VENV)/bin/python -m pip install -q --group test "$(DJANGO_REQ)"
	$(PURE_VENV)/bin/python tools/check_install.py python --tests-from . -m "not compiled"
