#!/usr/bin/env bash
# Compare the scoring CPU of stance binaries, e.g. before and after a change:
#   bench/ab.sh OLD_BIN NEW_BIN ...     (MODEL, CONFIG, DATA: the export to run; N runs each)
# Runs `BIN export` on DATA N times per binary, alternating between them so that the noise of a
# shared machine falls on all alike, and prints the least wall and CPU seconds of each: on a
# shared machine the least is the figure least inflated by others.
set -euo pipefail
n=${N:-5}
model=${MODEL:-/tmp/stance-scale/semeval.stance}
config=${CONFIG:-/tmp/stance-scale/scale.yaml}
data=${DATA:-/tmp/stance-scale/comments-tenth.csv}
times=$(mktemp)
out=$(mktemp)
trap 'rm -f "$times" "$out"' EXIT
for _ in $(seq "$n"); do
  for bin in "$@"; do
    /usr/bin/time -f "$bin %e %U %S" -a -o "$times" "$bin" export -q --config "$config" --model "$model" --data "$data" --out "$out"
  done
done
for bin in "$@"; do
  awk -v b="$bin" '$1 == b { if (!w || $2 < w) w = $2; c = $3 + $4; if (!m || c < m) m = c }
    END { printf "%s: least wall %.2f s, least CPU %.2f s\n", b, w, m }' "$times"
done
