#!/usr/bin/env bash
# The benchmark: stance and its peers on every public task; writes docs/BENCHMARKS.md.
# All arguments go to bench/run.py (see bench/run.py --help): e.g. --quick --tasks semeval2016-a.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_INVOCATION="bench/run.sh${*:+ $*}" exec /usr/bin/python3 bench/run.py "$@"
