#!/usr/bin/env bash
# How training cost grows, and fnc1 training beside the peers, in one run (the speed issue's
# training goals):
#   bench/curve.sh [WORK]          (about 15 minutes on 2 cores; PEERS=0 skips the peers)
# 1. fnc1: stance trains on 10%, 25%, 50% and 100% of train_stances.csv (a seeded random sample
#    of the rows, bodies joined from train_bodies.csv) with bench/configs/fnc1.yaml.
# 2. Synthetic: 100,000, 300,000 and 1,000,000 labelled rows made by repeating the train splits
#    of semeval2016-a and mawqif (text, target, stance; labels upper-cased so that the two tasks
#    share classes). One stance head without the target-conjoined copies: training holds the
#    feature matrix in memory (about 14 KB per tweet-sized row this way, twice that with the
#    copies and a second head), so this is the shape that fits 1M rows in 23 GB.
# 3. ../shared/peers/run_peers.py fnc1 --peers sk-lr,ft: the peers' training on the same fnc1 split.
# Each stance training is timed by /usr/bin/time (wall seconds of the whole process, reading the
# data and writing the model included; peak RSS). bench/curve_report.py prints the table and the
# ratios and writes docs/CURVE.md and WORK/curve.json. The data stays in ../shared/data and WORK: nothing is copied into the project.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/stance-curve}
data=../shared/data
mkdir -p "$work"
go build -o "$work/stance" ./cmd/stance

/usr/bin/python3 - "$data" "$work" <<'PY'
import csv, random, sys
data, work = sys.argv[1], sys.argv[2]
with open(f"{data}/fnc1/train_stances.csv", newline="", encoding="utf-8-sig") as f:
    r = csv.reader(f)
    header, rows = next(r), list(r)
for pct in (10, 25, 50, 100):
    keep = sorted(random.Random(0).sample(range(len(rows)), len(rows) * pct // 100))
    with open(f"{work}/fnc1-{pct}.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows[i] for i in keep)
    with open(f"{work}/fnc1-{pct}.rows", "w") as f:
        print(len(keep), file=f)
src = []
for path, delim in ((f"{data}/semeval2016t6/trialdata-all-annotations.txt", "\t"),
                    (f"{data}/semeval2016t6/trainingdata-all-annotations.utf8.txt", "\t")):
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as f:
        for row in csv.DictReader(f, delimiter=delim, quoting=csv.QUOTE_NONE):
            src.append((row["Tweet"].replace("#SemST", ""), row["Target"], row["Stance"], row["Sentiment"]))
with open(f"{data}/mawqif/Mawqif_AllTargets_Train.csv", newline="", encoding="utf-8-sig") as f:
    for row in csv.DictReader(f):
        src.append((row["text"], row["target"], row["stance"], row["sentiment"]))
src = [(t, a, s.upper(), m.upper()) for t, a, s, m in src if t.strip() and s and m]
for n, name in ((100_000, "100k"), (300_000, "300k"), (1_000_000, "1M")):
    with open(f"{work}/synthetic-{name}.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "target", "stance", "sentiment"])
        for i in range(n):
            w.writerow(src[i % len(src)])
print(f"fnc1: {len(rows)} train rows; synthetic: {len(src)} distinct labelled rows repeated", file=sys.stderr)
PY

cat > "$work/synthetic.yaml" <<'YAML'
format: csv
columns: {text: text, article: target}
labels: {stance: stance}
features: {relation: false, conjoin: false}
YAML

timed() { # timed NAME ROWS stance train ARGS...: one JSON line per run in $work/stance.jsonl
  local name=$1 rows=$2
  shift 2
  /usr/bin/time -f '%e %M' -o "$work/$name.time" "$work/stance" "$@" -q --model "$work/$name.stance"
  read -r wall rss < "$work/$name.time"
  printf '{"name": "%s", "rows": %d, "wall_s": %s, "peak_rss_mb": %.1f, "model_bytes": %d}\n' \
    "$name" "$rows" "$wall" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" "$(stat -c %s "$work/$name.stance")" >> "$work/stance.jsonl"
}
rm -f "$work/stance.jsonl"
for pct in 10 25 50 100; do
  timed "fnc1-$pct" "$(cat "$work/fnc1-$pct.rows")" train --config bench/configs/fnc1.yaml --data "$work/fnc1-$pct.csv" \
    --articles $data/fnc1/train_bodies.csv
done
timed synthetic-100k 100000 train --config "$work/synthetic.yaml" --data "$work/synthetic-100k.csv"
timed synthetic-300k 300000 train --config "$work/synthetic.yaml" --data "$work/synthetic-300k.csv"
avail=$(awk '/MemAvailable/ {print int($2 / 1048576)}' /proc/meminfo)
if [ "$avail" -ge 18 ]; then
  timed synthetic-1M 1000000 train --config "$work/synthetic.yaml" --data "$work/synthetic-1M.csv"
else
  echo "curve: skipping the 1M-row training: it needs about 15 GB and $avail GB are available" >&2
fi

if [ "${PEERS:-1}" != 0 ]; then
  /usr/bin/python3 ../shared/peers/run_peers.py fnc1 --peers sk-lr,ft --out "$work/peers" > "$work/peers.log"
fi

/usr/bin/python3 bench/curve_report.py "$work" "$(git rev-parse --short HEAD)"
