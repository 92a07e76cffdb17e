# make test  - set everything up, build the extension, run every test for both engines
# make bench - set everything up and run the comparison benchmark
# PYTHON picks the interpreter, DJANGO the Django series (e.g. 5.2, 6.1; empty: newest for PYTHON).

PYTHON ?= python3
DJANGO ?=
PYVER := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV ?= .venv/py$(PYVER)-django$(or $(DJANGO),latest)
VPY := $(VENV)/bin/python
DJANGO_REQ := $(if $(DJANGO),django==$(DJANGO).*,django)
STAMP := $(VENV)/.installed

.PHONY: test bench build venv clean

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

bench: build
	$(VPY) benchmarks/report.py

clean:
	rm -rf .venv build src/*.egg-info src/fastsignals/*.so src/fastsignals/_signal_c.c
