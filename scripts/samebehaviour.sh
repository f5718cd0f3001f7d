#!/usr/bin/env bash
# Usage: scripts/samebehaviour.sh [REF] [CASE-PATTERN]
#
# Checks that the working tree's stance behaves as the one at git revision REF (default: main):
# it builds both binaries, runs every command (train, evaluate with --model, --cv, --group-by,
# --by, --repeats, --tune, --predictions, --report and each --format, score in each format,
# export, summarize, explain, info, config) on data/sample and on two public tasks of
# ../shared/data (semeval2016-a and mawqif, with bench/configs), and compares what each run
# wrote: standard output, the files it wrote, its exit code, and standard error once the
# timings are blanked out. An HTML report is compared once its date line is blanked.
#
# Each side runs in a directory of its own that holds its tree's config.yaml and bench configs,
# with the same relative output names, so that paths printed in the outputs agree. The data
# paths are the same absolute paths on both sides (the working tree's data/sample).
#
# Cases named expect-diff-* are known, intended differences (a bug fixed since REF): their
# differences are shown but do not fail the check. CASE-PATTERN (a grep -E pattern) runs only
# the matching cases, for a quick look. Exit status: 0 when every other case agrees.
set -euo pipefail
ref=${1:-main}
only=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$root/../shared/data" 2>/dev/null && pwd) || { echo "samebehaviour: no ../shared/data beside the checkout" >&2; exit 2; }
sample=$root/data/sample
work=$(mktemp -d "${TMPDIR:-/tmp}/samebehaviour.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== building $ref and the working tree"
mkdir -p "$work/src" "$work/ref" "$work/new"
git -C "$root" archive "$ref" | tar -x -C "$work/src"
(cd "$work/src" && go build -o "$work/ref.bin" ./cmd/stance)
(cd "$root" && go build -o "$work/new.bin" ./cmd/stance)
for side in ref new; do
	tree=$root
	[ "$side" = ref ] && tree=$work/src
	cp "$tree/config.yaml" "$work/$side/config.yaml"
	cp "$tree/bench/configs/semeval2016-a.yaml" "$work/$side/semeval.yaml"
	cp "$tree/bench/configs/mawqif.yaml" "$work/$side/mawqif.yaml"
	# Settings the libraries refuse (features.Config, classifier.Config): their messages name
	# config.yaml's keys.
	printf 'features:\n  word_min: 3\n  word_max: 1\n' >"$work/$side/bad-words.yaml"
	printf 'features:\n  word_min: 0\n  word_max: 0\n  char_min: 0\n  char_max: 0\n' >"$work/$side/bad-ngrams.yaml"
	printf 'features:\n  lead_tokens: 0\n' >"$work/$side/bad-lead.yaml"
	printf 'model:\n  heads:\n    stance:\n      class_weight: x\n' >"$work/$side/bad-head.yaml"
	printf 'model:\n  heads:\n    stance:\n      unseen:\n        class_weight: x\n' >"$work/$side/bad-unseen.yaml"
done

cases=()
# c NAME ARGS...: a case; the same arguments run on both sides, in the side's directory.
c() { cases+=("$*"); }

S="--data $sample/comments.csv --articles $sample/articles.csv"
N="--data $sample/new_comments.csv --articles $sample/articles.csv"
SE=$shared/semeval2016t6
SEtrain="--config semeval.yaml --data $SE/trialdata-all-annotations.txt --data $SE/trainingdata-all-annotations.utf8.txt"
SEtest="--config semeval.yaml --data $SE/testdata-taskA-all-annotations.txt"
MQ=$shared/mawqif
MQtrain="--config mawqif.yaml --data $MQ/Mawqif_AllTargets_Train.csv"
MQtest="--config mawqif.yaml --data $MQ/Mawqif_AllTargets_Test.csv"

# The sample. Models first: later cases read them.
c s-train train $S --model sample.stance
c s-train-stdout train $S --model - --max-iter 20
c s-train-tune train $S --model sample-tuned.stance --tune
c s-eval-model evaluate --model sample.stance $S
c s-eval-model-by evaluate --model sample.stance $S --by article --format json
c s-eval-model-pred evaluate --model sample.stance $S --predictions s-model-pred.csv --report s-model.html
c s-eval-cv evaluate --cv 5 $S
c s-eval-cv-none evaluate --cv 4 --group-by none $S --format csv
c s-eval-cv-by evaluate --cv 5 --by article $S --format jsonl
c s-eval-cv-repeats evaluate --cv 5 --repeats 3 $S --by article
c s-eval-cv-repeats-json evaluate --cv 3 --repeats 2 $S --format json
c s-eval-cv-repeats-csv evaluate --cv 3 --repeats 2 $S --by article --format csv
c s-eval-cv-tune evaluate --cv 3 --tune $S
c s-eval-cv-pred evaluate --cv 5 $S --predictions s-cv-pred.csv --report s-cv.html --repeats 2 --by article
c expect-diff-s-eval-pred-stdout evaluate --model sample.stance $S --predictions - --quiet
c expect-diff-s-eval-pred-stdout-json evaluate --model sample.stance $S --predictions - --format json
c s-eval-c evaluate --cv 3 --c 3 --class-weight none --max-iter 50 --bits 16 --seed 7 $S
c s-score-table score --model sample.stance $N
c s-score-csv score --model sample.stance $N --format csv
c s-score-jsonl score --model sample.stance $N --format jsonl
c s-score-json score --model sample.stance $N --format json
c s-score-args score --model sample.stance --article "Parliament votes on a congestion charge" "About time!" "This is nonsense" "كلامه صحيح"
c s-score-args-csv score --model sample.stance --article "Parliament votes on a congestion charge" --format csv "About time, well done" "no"
c s-export export --model sample.stance $N --out s-export.csv
c s-export-labelled export --model sample.stance $S --out -
c s-export-tuned export --model sample-tuned.stance $N --out s-export-tuned.csv
c s-summarize summarize --model sample.stance $S
c s-summarize-csv summarize --model sample.stance $S --format csv
c s-summarize-json summarize --model sample.stance $N --format json --out s-summary.json
c s-explain explain --model sample.stance --article "Syria and Iraq coordinate border security" "about time, well done" "كلام فاضي"
c s-explain-json explain --model sample.stance --format json --top 3 "well done"
c s-explain-top explain --model sample.stance --top 5
c s-explain-top-jsonl explain --model sample.stance --top 2 --format jsonl
c s-info info --model sample.stance
c s-info-json info --model sample-tuned.stance --format json
c s-config config
c s-config-json config --format json
c s-config-csv config --format csv
c s-config-semeval config --config semeval.yaml --format jsonl
# Each command's help: its flags and their defaults. evaluate's says where --predictions - and
# --report - send the figures now (the bug fixed since 0cb0cdc).
for cmd in train score export summarize explain info config version; do
	c "s-help-$cmd" "$cmd" --help
done
c expect-diff-s-help-evaluate evaluate --help
c s-help --help
# Usage errors: the message and the exit code.
c s-err-both evaluate --model sample.stance --cv 3 $S
c s-err-repeats evaluate --model sample.stance --repeats 2 $S
c s-err-format evaluate --cv 3 --format xml $S
c s-err-groupby evaluate --cv 3 --group-by nothing $S
c s-err-by evaluate --model sample.stance --by nothing $S
c s-err-folds evaluate --cv 50 $S
c s-err-export export --model sample.stance --out x.csv
c s-err-bits train $S --model x.stance --bits 8
c s-err-c train $S --model x.stance --c -1
c s-err-max-iter train $S --model x.stance --max-iter 0
c s-err-class-weight evaluate --cv 3 $S --class-weight x
c s-err-words train --config bad-words.yaml $S --model x.stance
c s-err-ngrams evaluate --cv 3 --config bad-ngrams.yaml $S
c s-err-lead train --config bad-lead.yaml $S --model x.stance
c s-err-head train --config bad-head.yaml $S --model x.stance
c s-err-unseen evaluate --cv 3 --config bad-unseen.yaml $S

# semeval2016-a: train on trial and training, test on test.
c se-train train $SEtrain --model semeval.stance
c se-eval evaluate $SEtest --model semeval.stance --by article
c se-eval-json evaluate $SEtest --model semeval.stance --format json --predictions se-pred.csv --report se.html
c se-eval-cv evaluate $SEtrain --cv 3 --group-by none --by article --format csv --predictions se-cv-pred.csv
c se-export export $SEtest --model semeval.stance --out se-export.csv
c se-score score $SEtest --model semeval.stance --format csv
c se-summarize summarize $SEtest --model semeval.stance --format json
c se-info info --model semeval.stance

# mawqif: three heads (stance, sentiment, sarcasm).
c mq-train train $MQtrain --model mawqif.stance
c mq-eval evaluate $MQtest --model mawqif.stance --report mq.html --predictions mq-pred.csv
c mq-eval-cv evaluate $MQtrain --cv 3 --group-by article --format json
c mq-export export $MQtest --model mawqif.stance --out mq-export.csv
c mq-score score $MQtest --model mawqif.stance --format jsonl
c mq-summarize summarize $MQtest --model mawqif.stance --by article
c mq-info info --model mawqif.stance --format json

# blank removes what differs from run to run: timings and rates on stderr, the report's date.
blank() {
	sed -E -e 's/[0-9]+(\.[0-9]+)?s\b/Ns/g' -e 's#\([0-9.]+/s\)#(N/s)#g' \
		-e 's#<dt>date</dt><dd>[^<]*</dd>#<dt>date</dt><dd>DATE</dd>#' "$1"
}

fail=0 ran=0 expected=0
for cs in "${cases[@]}"; do
	read -r name args <<<"$cs"
	if [ -n "$only" ] && ! grep -qE -- "$only" <<<"$name"; then continue; fi
	ran=$((ran + 1))
	for side in ref new; do
		mkdir -p "$work/$side/$name"
		# shellcheck disable=SC2086 # the arguments are words
		(cd "$work/$side" && set +e; "$work/$side.bin" $args >"$name/stdout" 2>"$name/stderr" </dev/null; echo $? >"$name/rc")
	done
	diffs=""
	# Every file either side wrote: the case's own, and those in the side's directory.
	for f in $( (cd "$work/ref" && find . -type f -newer "$work/ref.bin"; cd "$work/new" && find . -type f -newer "$work/new.bin") | sort -u); do
		a=$work/ref/$f b=$work/new/$f
		if [ ! -e "$a" ] || [ ! -e "$b" ]; then
			diffs+=" $f(only-one-side)"
		elif ! cmp -s <(blank "$a") <(blank "$b"); then
			diffs+=" $f"
		fi
	done
	if [ -z "$diffs" ]; then
		echo "same  $name"
	elif [[ $name == expect-diff-* ]]; then
		expected=$((expected + 1))
		echo "diff  $name (expected):$diffs"
	else
		fail=$((fail + 1))
		echo "DIFF  $name:$diffs"
		for f in $diffs; do
			f=${f%(only-one-side)}
			[ -e "$work/ref/$f" ] && [ -e "$work/new/$f" ] && diff <(blank "$work/ref/$f") <(blank "$work/new/$f") | head -20 || true
		done
	fi
	# Later cases compare only what they write themselves.
	touch "$work/ref.bin" "$work/new.bin"
done
echo "samebehaviour: $ran cases against $ref: $((ran - fail - expected)) same, $expected expected differences, $fail unexpected differences"
[ "$fail" -eq 0 ]
