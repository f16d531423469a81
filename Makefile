# The README's commands. Everything a fresh machine needs is installed from here: a private uv in .tools/,
# the locked environment in .venv/ (uv.lock), nothing by hand.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
GS := $(VENV)/bin/grayshield
DEMO_HOME ?= var/demo
DEMO_WORLD ?= var/worlds/demo
DEMO_CUSTOMERS ?= 5000

.PHONY: setup demo test lint typecheck pytest bench docs clean

setup: $(VENV)/.installed
	@# the PII fast path must be built from the sources on disk (e.g. after `git clean -X`): rebuild it if not
	@$(VENV)/bin/python -c "import sys, grayshield.pii.native as n; sys.exit(n.native_module() is None)" \
		2>/dev/null || $(UV) sync --frozen --reinstall-package grayshield --extra spark --extra bench --python python3.11

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# hatch_build.py compiles the PII engine's native fast path from these (a stale build is never used: docs/pii.md)
NATIVE_SOURCES := hatch_build.py src/grayshield/pii/_fast.pyx $(wildcard src/grayshield/pii/*.py)

$(VENV)/.installed: pyproject.toml uv.lock $(UV) $(NATIVE_SOURCES)
	$(UV) sync --frozen --extra spark --extra bench --python python3.11
	touch $@

demo: setup
	bash scripts/demo.sh "$(DEMO_HOME)" "$(DEMO_WORLD)" "$(DEMO_CUSTOMERS)"

test: setup lint typecheck pytest

lint:
	$(VENV)/bin/ruff check .

typecheck:
	$(VENV)/bin/mypy

pytest:
	$(VENV)/bin/pytest

bench: setup
	bash scripts/bench.sh

docs: setup
	$(VENV)/bin/python -m grayshield.contract.docs > docs/data-contract.md
	$(VENV)/bin/python -m grayshield.features.docs > docs/features.md

clean:
	rm -rf $(VENV) .tools var .mypy_cache .ruff_cache .pytest_cache
