# Two commands do everything on a fresh clone:
#   make demo   set up, then run the main job on the built-in default (the demo bundle)
#   make test   set up, then run the whole test suite (what CI runs)

VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1

FASHION_MNIST := /usr/share/datasets/fashion-mnist

.PHONY: setup fashion-mnist demo test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=23"
	$(PY) -m pip install --quiet -e ".[test]"
	# The reference ProGAN package for conformance tests: it pins torch 1.10 and
	# numpy 1.21, which cannot install here, so it comes without its dependencies.
	$(PY) -m pip install --quiet --no-deps "pro-gan-pth==3.4"
	touch $@

# Real product photos (Debian's package) for the Fashion-MNIST tests and training.
fashion-mnist:
	@test -d $(FASHION_MNIST) || { apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist; } \
		|| echo "warning: could not install dataset-fashion-mnist (needs root); its tests will be skipped"

demo: setup
	$(VENV)/bin/gigs run --out gigs-run --overwrite

test: setup fashion-mnist lint
	$(PY) -m pytest -q

# ruff: lint rules and import order, configured in pyproject.toml
lint: setup
	$(VENV)/bin/ruff check .

bench: setup
	$(PY) benchmarks/bench_gigs.py

clean:
	rm -rf $(VENV) gigs-run .pytest_cache
