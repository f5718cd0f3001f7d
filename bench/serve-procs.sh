#!/usr/bin/env bash
# bench/serve-procs.sh [WORK]: stance serve's latency and rate with GOMAXPROCS=1 against the
# default (all cores), on the model and request bodies that bench/serve.sh left in WORK (run it
# first; default /tmp/stance-serve-bench). On a 2-core machine shared with the load generator,
# two Go threads and wrk's two threads contend for both cores, and a request whose thread is
# descheduled waits a scheduler slice: p99 grows to tens of ms at c=16. With one Go thread the
# server keeps one core and wrk the other. Each run is wrk for 10 s on loopback, after 3 s of
# warm-up; prints one JSON summary line per run (bench/serve.lua's).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/stance-serve-bench}
port=18491
for f in "$work/stance" "$work/semeval.stance" "$work/analyze.jsonl" "$work/batch100.jsonl"; do
  [ -s "$f" ] || { echo "serve-procs: $f is missing: run bench/serve.sh $work first" >&2; exit 2; }
done
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
run() { # NAME THREADS CONNECTIONS PATH BODIES
  echo "$1: $(wrk -t"$2" -c"$3" -d10s --timeout 10s -s bench/serve.lua "http://127.0.0.1:$port$4" -- "$5" | grep '^{"requests"')"
}
for procs in 1 ""; do
  GOMAXPROCS=$procs "$work/stance" serve --model "$work/semeval.stance" --addr 127.0.0.1:$port 2>/dev/null &
  pid=$!
  trap 'kill $pid 2>/dev/null' EXIT
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/readyz" && break; sleep 0.1; done
  wrk -t2 -c16 -d3s --timeout 10s -s bench/serve.lua "http://127.0.0.1:$port/v1alpha1/comments:analyze" -- "$work/analyze.jsonl" >/dev/null
  name="GOMAXPROCS=${procs:-all}"
  run "$name analyze c=1" 1 1 /v1alpha1/comments:analyze "$work/analyze.jsonl"
  run "$name analyze c=16" 2 16 /v1alpha1/comments:analyze "$work/analyze.jsonl"
  run "$name analyze c=64" 2 64 /v1alpha1/comments:analyze "$work/analyze.jsonl"
  run "$name /v1/score batches of 100 c=16" 2 16 /v1/score "$work/batch100.jsonl"
  kill $pid
  wait $pid 2>/dev/null || true
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
