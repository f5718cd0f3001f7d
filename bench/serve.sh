#!/usr/bin/env bash
# Scoring over HTTP, stance serve beside the peer service in one run (issue 18's goals):
#   bench/serve.sh [WORK]     (about 10 minutes; SOAK=60 shortens the 5-minute soak, DUR=5 the runs)
# 1. stance trains on semeval2016-a (trial+train, bench/configs/semeval2016-a.yaml);
#    ../shared/peers/serve_peer.py trains sk-lr on the same split at its start-up.
# 2. Request bodies: Perspective AnalyzeComment requests, one per test comment of semeval2016-a
#    with its target as the article (context.entries[0].text), all six attributes requested;
#    and batches of 100 of the same comments for stance's native /v1/score.
# 3. wrk (with bench/serve.lua cycling through the bodies) for DUR seconds at concurrency 1, 16
#    and 64 against both servers on loopback, then batches of 100 at concurrency 16 against
#    stance: requests/s, p50/p99 latency, non-2xx responses.
# 4. A SOAK-second run at concurrency 16 against stance with its RSS read from /proc every 10 s,
#    then 20 reloads (10 POST /v1/admin/reload, 10 SIGHUP) during a run at concurrency 16.
# 5. Writes docs/SERVE_BENCH.md.
# Everything listens on 127.0.0.1 only; every load run is bounded by its duration.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/stance-serve-bench}
dur=${DUR:-10}
soak=${SOAK:-300}
data=../shared/data
sport=18480 # stance
pport=18489 # the peer
mkdir -p "$work"
cut -d' ' -f1 /proc/loadavg >"$work/load-before.txt" # the other jobs' load, beside the figures
go build -o "$work/stance" ./cmd/stance
if [ ! -s "$work/semeval.stance" ]; then
  "$work/stance" train -q --config bench/configs/semeval2016-a.yaml \
    --data $data/semeval2016t6/trialdata-all-annotations.txt \
    --data $data/semeval2016t6/trainingdata-all-annotations.utf8.txt --model "$work/semeval.stance"
fi
/usr/bin/python3 - "$data" "$work" <<'PY'
import csv, json, sys
data, work = sys.argv[1], sys.argv[2]
attrs = {f"{h}_{c}": {} for h, cs in (("STANCE", ("FAVOR", "AGAINST", "NONE")),
                                       ("SENTIMENT", ("POSITIVE", "NEGATIVE", "NEITHER"))) for c in cs}
rows = []
with open(f"{data}/semeval2016t6/testdata-taskA-all-annotations.txt", encoding="utf-8", errors="replace", newline="") as f:
    for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
        rows.append((r["Tweet"].replace("#SemST", "").strip(), r["Target"]))
with open(f"{work}/analyze.jsonl", "w", encoding="utf-8") as out:
    for text, target in rows:
        out.write(json.dumps({"comment": {"text": text}, "context": {"entries": [{"text": target}]},
                              "requestedAttributes": attrs}, ensure_ascii=False) + "\n")
with open(f"{work}/batch100.jsonl", "w", encoding="utf-8") as out:
    for i in range(0, len(rows) - 99, 100):
        out.write(json.dumps([{"text": t, "article": a} for t, a in rows[i:i + 100]], ensure_ascii=False) + "\n")
PY

cleanup() {
  [ -n "${spid:-}" ] && kill "$spid" 2>/dev/null || true
  [ -n "${ppid_:-}" ] && kill "$ppid_" 2>/dev/null || true
}
trap cleanup EXIT
"$work/stance" serve --model "$work/semeval.stance" --addr 127.0.0.1:$sport 2>"$work/stance.log" &
spid=$!
/usr/bin/python3 ../shared/peers/serve_peer.py --task semeval2016-a --port $pport 2>"$work/peer.log" &
ppid_=$!
for url in http://127.0.0.1:$sport/readyz http://127.0.0.1:$pport/healthz; do
  for _ in $(seq 120); do curl -sf "$url" >/dev/null && break; sleep 1; done
  curl -sf "$url" >/dev/null || { echo "no answer from $url" >&2; exit 1; }
done

# load NAME URL BODIES CONNECTIONS SECONDS: one wrk run, its summary in $work/NAME.json.
load() {
  local threads=2
  [ "$4" -lt 2 ] && threads=1
  wrk -t$threads -c"$4" -d"$5"s --timeout 10s -s bench/serve.lua "$2" -- "$3" >"$work/$1.wrk"
  grep '^{"requests"' "$work/$1.wrk" >"$work/$1.json"
}
for c in 1 16 64; do
  load "peer-c$c" "http://127.0.0.1:$pport/v1alpha1/comments:analyze" "$work/analyze.jsonl" $c "$dur"
  load "stance-c$c" "http://127.0.0.1:$sport/v1alpha1/comments:analyze" "$work/analyze.jsonl" $c "$dur"
done
load stance-batch100 "http://127.0.0.1:$sport/v1/score" "$work/batch100.jsonl" 16 "$dur"

# Soak: RSS every 10 s while a run goes on.
: >"$work/rss.txt"
load stance-soak "http://127.0.0.1:$sport/v1alpha1/comments:analyze" "$work/analyze.jsonl" 16 "$soak" &
wpid=$!
while kill -0 $wpid 2>/dev/null; do
  awk '/VmRSS/ {print $2}' /proc/$spid/status >>"$work/rss.txt"
  sleep 10
done
wait $wpid

# 20 reloads during load: 10 by HTTP, 10 by SIGHUP, one a second.
load stance-reload "http://127.0.0.1:$sport/v1alpha1/comments:analyze" "$work/analyze.jsonl" 16 25 &
wpid=$!
sleep 2
: >"$work/reloads.txt"
for i in $(seq 10); do
  curl -s -o /dev/null -w '%{http_code}\n' -X POST http://127.0.0.1:$sport/v1/admin/reload >>"$work/reloads.txt"
  sleep 0.5
  kill -HUP $spid
  sleep 0.5
done
wait $wpid
curl -s http://127.0.0.1:$sport/metrics >"$work/metrics.txt"

/usr/bin/python3 - "$work" "$(git rev-parse --short HEAD)" "$dur" "$soak" <<'PY'
import datetime, json, os, re, sys
work, commit, dur, soak = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def r(name):
    return json.load(open(f"{work}/{name}.json"))
def row(label, x, per=1):
    return (f"| {label} | {x['requests']:,} | {x['requests'] / x['seconds']:,.0f} | {x['requests'] * per / x['seconds']:,.0f} | "
            f"{x['p50_us'] / 1000:.2f} | {x['p99_us'] / 1000:.2f} | {x['non2xx']} | {x['socket_errors']} |")
lines = ["# stance serve: speed under load", "",
         "Generated by `bench/serve.sh`; do not edit by hand, rerun it. Both servers score both heads "
         "(stance, sentiment) with models trained on semeval2016-a's train split, answer the same "
         "Perspective AnalyzeComment bodies (the test split's comments with their targets, all six "
         "attributes), and share the machine's cores with the load generator (wrk), in one run.", "",
         f"- date: {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}",
         f"- commit: `{commit}`",
         f"- machine: {os.cpu_count()} cores; 1-minute load average before the run {float(open(f'{work}/load-before.txt').read()):.1f}, after it {os.getloadavg()[0]:.1f}",
         f"- runs: `wrk -c C -d {dur}s` with bench/serve.lua cycling through the bodies", "",
         "| server, endpoint, concurrency | requests | requests/s | comments/s | p50 ms | p99 ms | non-2xx | socket errors |",
         "|---|---:|---:|---:|---:|---:|---:|---:|"]
for c in (1, 16, 64):
    lines.append(row(f"peer (sk-lr, FastAPI + uvicorn), analyze, c={c}", r(f"peer-c{c}")))
    lines.append(row(f"stance serve, analyze, c={c}", r(f"stance-c{c}")))
b = r("stance-batch100")
lines.append(row("stance serve, /v1/score batches of 100, c=16", b, 100))
lines += ["", "Ratios:", ""]
for c in (1, 16, 64):
    s, p = r(f"stance-c{c}"), r(f"peer-c{c}")
    lines.append(f"- c={c}: stance {s['requests'] / s['seconds'] / (p['requests'] / p['seconds']):.1f}x the peer's requests/s; "
                 f"p99 {s['p99_us'] / 1000:.2f} ms against {p['p99_us'] / 1000:.2f} ms")
rss = [int(x) / 1024 for x in open(f"{work}/rss.txt").read().split()]
soakr = r("stance-soak")
lines += ["", f"Soak: {soak} s at c=16 on analyze, {soakr['requests']:,} requests ({soakr['requests'] / soakr['seconds']:,.0f}/s), "
          f"{soakr['non2xx']} non-2xx, {soakr['socket_errors']} socket errors. RSS every 10 s (MB): "
          + " ".join(f"{x:.0f}" for x in rss) + "."]
if len(rss) > 3:
    lines.append(f"After the first 30 s: min {min(rss[3:]):.0f}, max {max(rss[3:]):.0f} MB.")
rl = r("stance-reload")
codes = open(f"{work}/reloads.txt").read().split()
metrics = open(f"{work}/metrics.txt").read()
ok = re.search(r'stance_model_reloads_total\{result="ok"\} (\S+)', metrics)
lines += ["", f"Reloads during load: 25 s at c=16, 10 POST /v1/admin/reload (status {', '.join(sorted(set(codes)))}) and 10 SIGHUP; "
          f"{rl['requests']:,} requests, {rl['non2xx']} non-2xx, {rl['socket_errors']} socket errors; "
          f"stance_model_reloads_total{{result=\"ok\"}} {ok.group(1) if ok else '?'} at the end."]
open("docs/SERVE_BENCH.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
