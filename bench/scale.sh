#!/usr/bin/env bash
# Scoring at scale, stance beside the peers in one run (the speed issue's scoring goal):
#   bench/scale.sh [WORK]        (N=1000000 by default; N=100000 bench/scale.sh for a quick look)
# 1. ../shared/peers/scale_test.py builds WORK/comments.csv (the semeval2016-a and mawqif test
#    texts with their targets, repeated to N rows), trains sk-lr and fastText on semeval2016-a and
#    times their scoring of the file (each in a child process, peak RSS by wait4).
# 2. stance trains on the same split with bench/configs/semeval2016-a.yaml and exports the same
#    file (both heads, every probability column), timed by /usr/bin/time (wall, peak RSS).
# 3. Prints comments/s, peak RSS and the ratios stance/peer.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/stance-scale}
n=${N:-1000000}
data=../shared/data
mkdir -p "$work"
go build -o "$work/stance" ./cmd/stance
/usr/bin/python3 ../shared/peers/scale_test.py --n "$n" --work "$work"
"$work/stance" train -q --config bench/configs/semeval2016-a.yaml \
  --data $data/semeval2016t6/trialdata-all-annotations.txt \
  --data $data/semeval2016t6/trainingdata-all-annotations.utf8.txt --model "$work/semeval.stance"
printf 'format: csv\ncolumns: {text: text, article: target}\n' > "$work/scale.yaml"
/usr/bin/time -f '%e %M' -o "$work/stance.time" \
  "$work/stance" export -q --config "$work/scale.yaml" --model "$work/semeval.stance" \
  --data "$work/comments.csv" --out "$work/pred.stance.csv"
/usr/bin/python3 - "$work" "$n" <<'PY'
import json, sys
work, n = sys.argv[1], int(sys.argv[2])
wall, rss_kb = open(f"{work}/stance.time").read().split()
peers = json.load(open(f"{work}/results.json"))
s = {"wall_s": float(wall), "comments_per_s": n / float(wall), "peak_rss_mb": int(rss_kb) / 1024}
print(f"{'system':<7} {'wall_s':>8} {'comments/s':>11} {'peak_rss_mb':>12}")
for name, r in [("stance", s)] + list(peers.items()):
    print(f"{name:<7} {r['wall_s']:>8.1f} {r['comments_per_s']:>11.0f} {r['peak_rss_mb']:>12.0f}")
for name, r in peers.items():
    print(f"stance / {name}: {s['comments_per_s'] / r['comments_per_s']:.2f}x the comments/s, "
          f"{s['peak_rss_mb'] / r['peak_rss_mb']:.2f}x the peak RSS")
PY
