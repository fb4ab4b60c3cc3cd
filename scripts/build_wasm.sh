#!/usr/bin/env bash
# Builds the browser package into pkg/ (`make build`):
#   cargo (wasm32-unknown-unknown, +simd128, lib only, own target dir)
#   → wasm-bindgen --target web (pkg/cvmatch_wasm.js, pkg/cvmatch_wasm_bg.wasm)
#   → wasm-opt -O3, only with WASM_OPT=1 (takes minutes; tests skip it)
#   → pkg/cvmatch_wasm_bg.wasm.gz (what the worker downloads).
# SIMD=0 builds without simd128 (own target dir), for the with/without-SIMD benchmark only.
# Installs what it needs only when missing or at the wrong version.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[build] %s\n' "$*" >&2; }

# 1. The Rust target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock (the glue and the
#    CLI must match). --locked first; some registry mirrors lack a locked dependency.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  log "installing wasm-bindgen-cli $want (found: ${have:-none})"
  cargo install wasm-bindgen-cli --version "$want" --locked \
    || cargo install wasm-bindgen-cli --version "$want"
fi

# 3. The wasm module. A separate target dir keeps native builds' cargo lock out of the way.
if [ "${SIMD:-1}" = 0 ]; then
  simd_flag="" wasm_dir=target/wasm-nosimd
else
  simd_flag="-C target-feature=+simd128" wasm_dir=target/wasm
fi
log "cargo build (wasm32${simd_flag:+, simd128})"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:-} $simd_flag" \
  cargo build --lib --release --target wasm32-unknown-unknown --target-dir "$wasm_dir"

# 4. JS glue for ES modules (no bundler needed).
log "wasm-bindgen --target web → pkg/"
wasm-bindgen --target web --out-dir pkg --out-name cvmatch_wasm \
  "$wasm_dir/wasm32-unknown-unknown/release/cvmatch.wasm"

# 5. Optional size/speed pass. Debian's binaryen is too old for current Rust output; the npm
#    package is current. Installed under .tools/ (ignored by git).
if [ "${WASM_OPT:-0}" = 1 ]; then
  BINARYEN_VERSION=${BINARYEN_VERSION:-132.0.0}
  opt=.tools/node_modules/.bin/wasm-opt
  if [ ! -x "$opt" ] || [ "$(node -p "require('./.tools/node_modules/binaryen/package.json').version" 2>/dev/null)" != "$BINARYEN_VERSION" ]; then
    log "installing binaryen $BINARYEN_VERSION (npm) into .tools/"
    npm install --prefix .tools --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >&2
  fi
  log "wasm-opt -O3"
  "$opt" -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    pkg/cvmatch_wasm_bg.wasm -o pkg/cvmatch_wasm_bg.wasm.opt
  mv pkg/cvmatch_wasm_bg.wasm.opt pkg/cvmatch_wasm_bg.wasm
fi

# 6. The copy the worker fetches first (pkg/worker.js inflates it with DecompressionStream):
#    a quarter of the bytes on every host, configured for compression or not. -n: no name or
#    time stamp in the header, so the same module gives the same file.
gzip -9 -n -c pkg/cvmatch_wasm_bg.wasm > pkg/cvmatch_wasm_bg.wasm.gz
size=$(stat -c %s pkg/cvmatch_wasm_bg.wasm)
gz=$(stat -c %s pkg/cvmatch_wasm_bg.wasm.gz)
log "pkg/cvmatch_wasm_bg.wasm: $size bytes (pkg/cvmatch_wasm_bg.wasm.gz: $gz)"
