#!/usr/bin/env bash
# Prints the model hashes a build pins (`make build` passes them to the wasm build as
# CVMATCH_MODEL_PINS, compiled into the module whose own sha256 the package pins):
#   manifest=<sha256 of manifest.json>;<format>=<sha256 of its weights file>;...
# With --manifest-hash, prints only manifest.json's sha256: what a site serving another
# model passes to createMatcher as `manifestSha256`.
# Usage: scripts/pin_model.sh [--manifest-hash] MODEL_DIR
set -euo pipefail
only_manifest=0
if [ "${1:-}" = "--manifest-hash" ]; then only_manifest=1; shift; fi
dir=${1:?usage: scripts/pin_model.sh [--manifest-hash] MODEL_DIR}
manifest="$dir/manifest.json"
[ -f "$manifest" ] || { echo "pin_model: $manifest is missing (run make model)" >&2; exit 1; }
sha=$(sha256sum "$manifest" | cut -d' ' -f1)
if [ "$only_manifest" = 1 ]; then echo "$sha"; exit 0; fi
# Each weights file's hash as the manifest lists it, checked against the file on disk when
# present (a pin must never name bytes the build did not see).
python3 - "$dir" "$sha" <<'PY'
import hashlib, json, os, sys
d, manifest_sha = sys.argv[1], sys.argv[2]
m = json.load(open(os.path.join(d, "manifest.json")))
files = {f["name"]: f for f in m["files"]}
pins = [f"manifest={manifest_sha}"]
for fmt, name in sorted(m["weights"].items()):
    entry = files[name]
    path = os.path.join(d, name)
    if os.path.exists(path):
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        if h.hexdigest() != entry["sha256"]:
            sys.exit(f"pin_model: {path} does not match manifest.json")
    pins.append(f"{fmt}={entry['sha256']}")
print(";".join(pins))
PY
