#!/usr/bin/env bash
# The project's tests, each where it tells something, and once:
#
#   1. gofmt and go vet over the tree.
#   2. Under the race detector, what starts goroutines:
#      - in full, the packages whose code does: classifier (parallel feature extraction,
#        ScoreStream's reader, workers and writer), models (the parallel gradient),
#        internal/atomicfile (AbortAll against writers) and bench/floor. Their tests run
#        only here.
#      - of cmd/stance, the tests that drive commands through run's signal goroutine,
#        interruptible and ScoreStream's emit (train, evaluate --model, score from standard
#        input, export, summarize, the exit codes, write errors, a model file that never
#        ends). Its other tests train and cross-validate: that is classifier's code, raced
#        above, at several times the cost under the detector.
#   3. Without the race detector, every other package in full, cmd/stance's tests all (the
#      signals to the built binary, huge inputs, nested cross-validation) and the accuracy
#      floors on ../shared/data.
#
# Each step says what it runs and when it started; go test prints each package as it ends; the
# last line sums up. Tests that need ../shared/data skip with a message when it is absent.
# TESTFLAGS adds flags to every go test (TESTFLAGS=-v).
set -euo pipefail
cd "$(dirname "$0")/.."

race_pkgs=(./classifier ./models ./internal/atomicfile ./bench/floor)
race_cmd='^(TestExitCodes|TestTrain|TestEvaluateModel|TestExport|TestExportFailureKeepsOutput|TestScore|TestScoreStreamsStandardInput|TestScoreStopsAtABadLine|TestSummarize|TestStdoutWriteError|TestModelNeverEnding)$'
start=$SECONDS
step() { echo "== [$((SECONDS - start))s] $*"; }

step "gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$bad" ]; then
	echo "not gofmt'd:"
	echo "$bad"
	exit 1
fi
step "go vet ./..."
go vet ./...

# Every package but those that run only under the race detector.
mapfile -t all < <(go list ./...)
mapfile -t raced < <(go list "${race_pkgs[@]}")
once=()
for p in "${all[@]}"; do
	case " ${raced[*]} " in *" $p "*) ;; *) once+=("$p") ;; esac
done

t0=$SECONDS
step "go test -race: ${race_pkgs[*]}, in full"
# shellcheck disable=SC2086 # TESTFLAGS are words
go test -race -count=1 ${TESTFLAGS:-} "${race_pkgs[@]}"
step "go test -race -short ./cmd/stance: the tests that drive its goroutines"
# shellcheck disable=SC2086
go test -race -short -count=1 ${TESTFLAGS:-} -run "$race_cmd" ./cmd/stance
race_secs=$((SECONDS - t0))

t0=$SECONDS
step "go test: the other ${#once[@]} packages in full, without the race detector"
# shellcheck disable=SC2086
go test -count=1 ${TESTFLAGS:-} "${once[@]}"
once_secs=$((SECONDS - t0))

echo "test.sh: all passed in $((SECONDS - start))s (race detector ${race_secs}s: ${#race_pkgs[@]} packages and part of cmd/stance; without it ${once_secs}s: ${#once[@]} packages)"
