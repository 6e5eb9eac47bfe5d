# Two commands do everything on a fresh clone:
#   make demo   set up, then run the main job on the built-in default
#   make test   set up, then run the whole test suite (what CI runs)

VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1

.PHONY: setup demo test bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=23"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

demo: setup
	$(VENV)/bin/gigs run --generator toy --recommender toy --users random:10 --steps 200 --out gigs-run --overwrite

test: setup
	$(PY) -m pytest -q

bench: setup
	$(PY) benchmarks/bench_gigs.py

clean:
	rm -rf $(VENV) gigs-run .pytest_cache
