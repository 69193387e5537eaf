# The two commands a new user needs: `make demo` and `make test`.  Both set up .venv first.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test clean

setup:
	VENV=$(VENV) ./scripts/setup.sh

demo: setup
	$(PY) examples/demo.py

# one worker per core; each test file stays on one worker, so its fixtures are built once
TEST_WORKERS ?= auto

test: setup
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis .hgq_hls_cache demo_out digits_out
