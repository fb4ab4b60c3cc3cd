#!/usr/bin/env bash
# Builds a job index as N shards in parallel on one host, then merges them into the index a
# single build gives (docs/index-format.md, "Sharded builds").
#
#   scripts/index_shards.sh JOBS.jsonl OUT.cvx N [P] [-- BUILD OPTIONS...]
#
# N shards, at most P at a time (default: N). BUILD OPTIONS go to every
# `cvmatch index build` (for example --model DIR --weights f32, or --reuse OLD.cvx to embed
# only new or changed jobs). CVMATCH names the binary (default: target/release/cvmatch, else
# target/debug/cvmatch). Exits non-zero, writing nothing, if any shard or the merge fails.
set -euo pipefail

if [ $# -lt 3 ]; then
  sed -n '2,12p' "$0" >&2
  exit 2
fi
jobs=$1 out=$2 n=$3
shift 3
par=$n
if [ $# -gt 0 ] && [ "$1" != "--" ]; then par=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" = "--" ]; then shift; fi
case "$n$par" in *[!0-9]*|'') echo "N and P must be positive integers" >&2; exit 2;; esac
[ "$n" -ge 1 ] && [ "$par" -ge 1 ] || { echo "N and P must be at least 1" >&2; exit 2; }

if [ -z "${CVMATCH:-}" ]; then
  CVMATCH=target/release/cvmatch
  [ -x "$CVMATCH" ] || CVMATCH=target/debug/cvmatch
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cvx-shards.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# One process per shard K; xargs exits non-zero if any of them fails.
seq 0 $((n - 1)) | xargs -P "$par" -I{} \
  "$CVMATCH" index build --jobs "$jobs" --out "$tmp/shard-{}.cvx" --shard "{}/$n" "$@"
shards=()
for k in $(seq 0 $((n - 1))); do shards+=("$tmp/shard-$k.cvx"); done
"$CVMATCH" index merge "${shards[@]}" --out "$tmp/merged.cvx"
mv "$tmp/merged.cvx" "$out"
