#!/usr/bin/env bash
# The project's tests, each where it tells something, and once:
#
#   1. gofmt and go vet over the tree.
#   2. Under the race detector, what starts goroutines:
#      - in full, the packages whose code does: classifier (parallel feature extraction,
#        ScoreStream's reader, workers and writer), models (the parallel gradient),
#        internal/atomicfile (AbortAll against writers), bench/floor and label (the
#        labelling loop's background training). Their tests run only here.
#      - of cmd/stance, the tests that drive commands through run's signal goroutine,
#        interruptible and ScoreStream's emit (train, evaluate --model, score from standard
#        input, export, summarize, the exit codes, write errors, a model file that never
#        ends). Its other tests train and cross-validate: that is classifier's code, raced
#        above, at several times the cost under the detector.
#   3. Without the race detector, every other package in full, cmd/stance's tests all (the
#      signals to the built binary, huge inputs, nested cross-validation) and the accuracy
#      floors on ../shared/data.
#
# Packages run two at a time (JOBS), each a go test of its own: a line as each starts and
# ends, a line every 30 seconds naming what still runs, a failing package's output in full,
# and one summary line at the end. Tests that need ../shared/data skip with a message when it
# is absent. TESTFLAGS adds flags to every go test (TESTFLAGS=-v).
set -euo pipefail
cd "$(dirname "$0")/.."

race_pkgs=(./classifier ./models ./internal/atomicfile ./bench/floor ./label)
race_cmd='^(TestExitCodes|TestTrain|TestEvaluateModel|TestExport|TestExportFailureKeepsOutput|TestScore|TestScoreStreamsStandardInput|TestScoreStopsAtABadLine|TestSummarize|TestStdoutWriteError|TestModelNeverEnding)$'
jobs=${JOBS:-2}
start=$SECONDS
logs=$(mktemp -d "${TMPDIR:-/tmp}/stance-test.XXXXXX")
trap 'rm -rf "$logs"' EXIT
say() { echo "[$(printf '%4d' $((SECONDS - start)))s] $*"; }

say "gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$bad" ]; then
	echo "not gofmt'd:"
	echo "$bad"
	exit 1
fi
say "go vet ./..."
go vet ./...

# Every package but those that run only under the race detector.
mapfile -t all < <(go list ./...)
mapfile -t raced < <(go list "${race_pkgs[@]}")
once=()
for p in "${all[@]}"; do
	case " ${raced[*]} " in *" $p "*) ;; *) once+=("$p") ;; esac
done

# runs: one job per line, "NAME<TAB>go test arguments...", the longest first (on a busy 2-core
# machine: classifier under race 4.5 min, the accuracy floors 3.5, cmd/stance's goroutine tests
# under race 2.5, cmd/stance 1.5), so that the short ones fill in beside them.
runs=()
first() { # $1: a package pattern; adds the runs of the packages of list $2... that match it
	local pat=$1 p
	shift
	for p in "$@"; do
		case $p in $pat) runs+=("$p$tag	$flags$p") ;; esac
	done
}
tag=" (race)" flags="-race "
first '*/classifier' "${raced[@]}"
tag="" flags=""
first '*/evaluation' "${once[@]}"
runs+=("cmd/stance (race, the tests of its goroutines)	-race -short -run $race_cmd ./cmd/stance")
first '*/cmd/stance' "${once[@]}"
for p in "${raced[@]}"; do
	case $p in */classifier) ;; *) runs+=("$p (race)	-race $p") ;; esac
done
for p in "${once[@]}"; do
	case $p in */evaluation | */cmd/stance) ;; *) runs+=("$p	$p") ;; esac
done

failed=0 passed=0
declare -A pid_of=() started=()
finish() { # $1: job name; prints its result and its output if it failed
	local name=$1 f=$logs/$(echo "$1" | tr -c 'A-Za-z0-9' _)
	if wait "${pid_of[$name]}"; then
		passed=$((passed + 1))
		say "ok   $name ($((SECONDS - started[$name]))s)"
	else
		failed=$((failed + 1))
		say "FAIL $name ($((SECONDS - started[$name]))s):"
		cat "$f"
	fi
	unset "pid_of[$name]"
}
reap() { # waits until fewer than $1 jobs run, naming the running ones every 30 s
	local last=$SECONDS name
	while [ "${#pid_of[@]}" -ge "$1" ]; do
		for name in "${!pid_of[@]}"; do
			kill -0 "${pid_of[$name]}" 2>/dev/null || finish "$name"
		done
		if [ $((SECONDS - last)) -ge 30 ] && [ "${#pid_of[@]}" -gt 0 ]; then
			last=$SECONDS
			local names=() n
			for n in "${!pid_of[@]}"; do names+=("$n $((SECONDS - started[$n]))s"); done
			say "...  still running: $(IFS=,; echo "${names[*]}")"
		fi
		sleep 1
	done
}
for r in "${runs[@]}"; do
	name=${r%%	*} args=${r#*	}
	reap "$jobs"
	say "run  $name"
	started[$name]=$SECONDS
	# shellcheck disable=SC2086 # the arguments and TESTFLAGS are words
	# -timeout 30m: the accuracy floors (and the check that tuning still makes their recorded
	# choice) train on public tasks for minutes on a busy 2-core machine, past go test's 10.
	go test -count=1 -timeout 30m ${TESTFLAGS:-} $args >"$logs/$(echo "$name" | tr -c 'A-Za-z0-9' _)" 2>&1 &
	pid_of[$name]=$!
done
reap 1

if [ "$failed" -gt 0 ]; then
	echo "test.sh: $failed of $((passed + failed)) runs FAILED, in $((SECONDS - start))s"
	exit 1
fi
echo "test.sh: all $passed runs passed in $((SECONDS - start))s (${#raced[@]} packages and part of cmd/stance under the race detector, ${#once[@]} packages without)"
