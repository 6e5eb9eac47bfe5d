# Two commands do everything on a fresh clone:
#   make demo   set up, then run the main job on the built-in default (the demo bundle)
#   make test   set up, then run the whole test suite (what CI runs)

VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1

FASHION_MNIST := /usr/share/datasets/fashion-mnist

.PHONY: setup fashion-mnist demo test lint example-plugin bench clean

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

test: setup fashion-mnist lint example-plugin
	$(PY) -m pytest -q

# The example plugin as its author meets it (examples/gigs-plugin-example/README.md): a fresh
# virtual environment, gigs installed by path from a copy of this checkout, then the plugin and
# its tests, all in a temporary folder that is removed afterwards (pip builds inside the source).
example-plugin:
	@work=$$(mktemp -d) && trap 'rm -rf "$$work"' EXIT && \
	mkdir "$$work/gigs" && tar -c --exclude-vcs --exclude=./.venv --exclude=./build --exclude='*.egg-info' \
		--exclude=./gigs-run . | tar -x -C "$$work/gigs" && \
	cp -r examples/gigs-plugin-example "$$work/example" && \
	$(PYTHON) -m venv "$$work/venv" && \
	"$$work/venv/bin/pip" install --quiet "$$work/gigs[test]" && \
	"$$work/venv/bin/pip" install --quiet "$$work/example" && \
	cd "$$work/example" && HF_HUB_OFFLINE=1 "$$work/venv/bin/python" -m pytest -q -p no:cacheprovider tests

# ruff: lint rules and import order, configured in pyproject.toml
lint: setup
	$(VENV)/bin/ruff check .

bench: setup
	$(PY) benchmarks/bench_gigs.py

clean:
	rm -rf $(VENV) gigs-run .pytest_cache
