#!/usr/bin/env bash
# Builds the browser package into pkg/ (`make build`), two builds of the same module:
#   baseline: cargo (wasm32-unknown-unknown, +simd128, lib only, target/wasm)
#     → wasm-bindgen --target web (pkg/cvmatch_wasm.js, pkg/cvmatch_wasm_bg.wasm)
#   relaxed: cargo with +simd128,+relaxed-simd (target/wasm-relaxed: a target-feature change
#     recompiles every crate, so it keeps its own dir and both stay incremental)
#     → wasm-bindgen → pkg/cvmatch_wasm_relaxed_bg.wasm (its JS glue must equal the
#     baseline's: one cvmatch_wasm.js serves both; checked here)
#   → wasm-opt -O3, only with WASM_OPT=1 (takes minutes; tests skip it)
#   → pkg/*.wasm.gz (what the worker downloads), pkg/cvmatch_wasm_meta.js (both hashes).
# pkg/worker.js loads the relaxed build where a probe validates (createMatcher's `simd`).
# RELAXED=0 skips the relaxed build (the package then ships the baseline only).
# SIMD=0 builds without simd128 (own target dir, no relaxed build), for the
# with/without-SIMD benchmark only. A build whose cargo output is unchanged is not bound,
# optimised or compressed again.
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

# 3. The wasm modules. Separate target dirs keep native builds' cargo lock out of the way.
#    wasm_build NAME DIR FEATURES OUT: cargo → wasm-bindgen → (wasm-opt) → pkg/OUT_bg.wasm(.gz)
# The glue without its comment lines: wasm-bindgen's comments name closure table indices
# (`shim_idx`), which differ between builds; the code refers to exports by hashed name only.
code_lines() { grep -v '^[[:space:]]*//' "$1"; }

wasm_build() {
  local name=$1 dir=$2 features=$3 out=$4
  log "cargo build (wasm32${features:+, $features})"
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:-}${features:+ -C target-feature=$features}" \
    cargo build --lib --release --target wasm32-unknown-unknown --target-dir "$dir"
  local artifact="$dir/wasm32-unknown-unknown/release/cvmatch.wasm"
  # the cargo output and the options it was bound with: unchanged → pkg/ is up to date
  local stamp="$dir/pkg.stamp" want_stamp
  want_stamp="$(sha256sum "$artifact" | cut -d' ' -f1) wasm_opt=${WASM_OPT:-0} out=$out"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ] && [ -f "pkg/${out}_bg.wasm.gz" ] \
    && [ "$(cat "$dir/pkg.sha256" 2>/dev/null)" = "$(sha256sum "pkg/${out}_bg.wasm" 2>/dev/null | cut -d' ' -f1)" ]; then
    log "pkg/${out}_bg.wasm is up to date ($name)"
    return
  fi
  # 4. JS glue for ES modules (no bundler needed).
  local bound="$dir/bindgen"
  rm -rf "$bound"
  log "wasm-bindgen --target web ($name)"
  wasm-bindgen --target web --out-dir "$bound" --out-name cvmatch_wasm "$artifact"
  # 5. Optional size/speed pass. Debian's binaryen is too old for current Rust output; the
  #    npm package is current. Installed under .tools/ (ignored by git).
  if [ "${WASM_OPT:-0}" = 1 ]; then
    BINARYEN_VERSION=${BINARYEN_VERSION:-132.0.0}
    local opt=.tools/node_modules/.bin/wasm-opt relaxed_flag=
    if [ ! -x "$opt" ] || [ "$(node -p "require('./.tools/node_modules/binaryen/package.json').version" 2>/dev/null)" != "$BINARYEN_VERSION" ]; then
      log "installing binaryen $BINARYEN_VERSION (npm) into .tools/"
      npm install --prefix .tools --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >&2
    fi
    case $features in *relaxed-simd*) relaxed_flag=--enable-relaxed-simd ;; esac
    log "wasm-opt -O3 ($name)"
    "$opt" -O3 --enable-simd $relaxed_flag --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "$bound/cvmatch_wasm_bg.wasm" -o "$bound/cvmatch_wasm_bg.wasm.opt"
    mv "$bound/cvmatch_wasm_bg.wasm.opt" "$bound/cvmatch_wasm_bg.wasm"
  fi
  if [ "$out" = cvmatch_wasm ]; then
    cp "$bound/cvmatch_wasm.js" "$bound/cvmatch_wasm.d.ts" "$bound/cvmatch_wasm_bg.wasm.d.ts" pkg/
  elif ! cmp -s <(code_lines "$bound/cvmatch_wasm.js") <(code_lines pkg/cvmatch_wasm.js); then
    log "the $name build's JS glue differs from pkg/cvmatch_wasm.js: one glue cannot serve both builds"
    diff <(code_lines "$bound/cvmatch_wasm.js") <(code_lines pkg/cvmatch_wasm.js) | head -20 >&2 || true
    exit 1
  fi
  cp "$bound/cvmatch_wasm_bg.wasm" "pkg/${out}_bg.wasm"
  # 6. The copy the worker fetches first (pkg/worker.js inflates it with DecompressionStream):
  #    a quarter of the bytes on every host, configured for compression or not. -n: no name
  #    or time stamp in the header, so the same module gives the same file.
  gzip -9 -n -c "pkg/${out}_bg.wasm" > "pkg/${out}_bg.wasm.gz"
  sha256sum "pkg/${out}_bg.wasm" | cut -d' ' -f1 > "$dir/pkg.sha256"
  echo "$want_stamp" > "$stamp"
}

if [ "${SIMD:-1}" = 0 ]; then
  wasm_build "without SIMD" target/wasm-nosimd "" cvmatch_wasm
  relaxed=0
else
  wasm_build baseline target/wasm "+simd128" cvmatch_wasm
  relaxed=${RELAXED:-1}
  if [ "$relaxed" = 1 ]; then
    wasm_build "relaxed SIMD" target/wasm-relaxed "+simd128,+relaxed-simd" cvmatch_wasm_relaxed
  fi
fi

# 7. The modules' identities, for the worker's verified copies in the Cache API.
sha=$(sha256sum pkg/cvmatch_wasm_bg.wasm | cut -d' ' -f1)
size=$(stat -c %s pkg/cvmatch_wasm_bg.wasm)
if [ "$relaxed" = 1 ]; then
  rsha="'$(sha256sum pkg/cvmatch_wasm_relaxed_bg.wasm | cut -d' ' -f1)'"
  rsize=$(stat -c %s pkg/cvmatch_wasm_relaxed_bg.wasm)
else
  rsha=null rsize=null
fi
cat > pkg/cvmatch_wasm_meta.js <<EOF
// Generated by scripts/build_wasm.sh: the identity of the module's two builds. worker.js keeps
// a copy of the one it loads in the Cache API under its hash and uses it only if it still
// hashes so. The relaxed-SIMD build's is null when it was not built (RELAXED=0 or SIMD=0).
export const WASM_SHA256 = '$sha';
export const WASM_BYTES = $size;
/** @type {string|null} */
export const WASM_RELAXED_SHA256 = $rsha;
/** @type {number|null} */
export const WASM_RELAXED_BYTES = $rsize;
EOF
for f in pkg/cvmatch_wasm_bg.wasm $([ "$relaxed" = 1 ] && echo pkg/cvmatch_wasm_relaxed_bg.wasm); do
  log "$f: $(stat -c %s "$f") bytes ($f.gz: $(stat -c %s "$f.gz"))"
done
