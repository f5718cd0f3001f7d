#!/usr/bin/env bash
# bench/label.sh: does stance label's choice of what to ask next save labels?
#
# Simulates an annotator with the gold labels of semeval2016-a, mawqif, fnc1 and
# rumoureval2017-a (../shared/data): from the same seed set of 50 (the page's cold start,
# articles in turn), batches of 50 chosen by margin sampling with diversity (package label, as
# the page chooses them) or at random, up to 2,000 labels or the pool, 3 seeds each; after each
# batch the stance head is trained on the labels so far (one fixed configuration, no tuning,
# at most 100 L-BFGS iterations) and scored on the task's test split with its official metric.
# fnc1's pool is 6,000 of its 49,972 training pairs, drawn at random with seed 1.
#
# Each task is a labelsim process of its own, JOBS at a time (default 2), writing its curves to
# out/label/TASK.json and its progress to out/label/TASK.log. Then one figure is scored again by
# the referee (../shared/peers/score.py: the last margin point of seed 0 on semeval2016-a, whose
# test predictions labelsim writes), and the table, the plot (docs/label-curves.svg) and the
# cross-check are spliced into docs/LABEL.md. TASKS="fnc1" SEEDS=1 for a quick look (the report
# then covers only those).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${DATA:-../shared/data}
out=${OUT:-out/label}
jobs=${JOBS:-2}
tasks=${TASKS:-semeval2016-a mawqif fnc1 rumoureval2017-a}
seeds=${SEEDS:-3}
mkdir -p "$out"
go build -o "$out/labelsim" ./bench/labelsim
echo "load before: $(uptime)"
start=$SECONDS
# shellcheck disable=SC2086 # tasks are words
printf '%s\n' $tasks | xargs -P "$jobs" -I{} sh -c \
	"'$out/labelsim' -data '$data' -tasks {} -seeds $seeds -out '$out/{}.json' -predictions '$out' 2>'$out/{}.log' || { echo 'labelsim {} failed:'; cat '$out/{}.log'; exit 1; }"
took=$((SECONDS - start))
echo "load after: $(uptime)"
note="The whole simulation took ${took} s wall time, JOBS=$jobs tasks at a time (load average of the shared machine after it: $(uptime | sed 's/.*load average: //'))."
if [ -f "$out/semeval2016-a.json" ] && [ -f "$out/semeval2016-a.csv" ]; then
	ours=$(python3 -c "import json; r=json.load(open('$out/semeval2016-a.json'))[0]; run=[x for x in r['runs'] if x['strategy']=='margin' and x['seed']==0][0]; print('%.6f' % run['official'][-1])")
	referee=$(/usr/bin/python3 ../shared/peers/score.py semeval2016-a "$out/semeval2016-a.csv" --heads stance |
		python3 -c "import json,sys; print('%.6f' % json.load(sys.stdin)['heads']['stance']['official'])")
	echo "cross-check, semeval2016-a margin seed 0 at its last point: labelsim $ours, score.py $referee"
	note="$note Cross-check with the referee: semeval2016-a, margin, seed 0, at its last point: labelsim $ours, ../shared/peers/score.py $referee on the same predictions."
	if [ "$ours" != "$referee" ]; then
		echo "label.sh: labelsim and score.py disagree" >&2
		exit 1
	fi
fi
files=$(for t in $tasks; do printf '%s,' "$out/$t.json"; done)
cmd="bench/label.sh"
[ "$jobs" = 2 ] || cmd="JOBS=$jobs $cmd"
"$out/labelsim" -report "${files%,}" -doc docs/LABEL.md -svg docs/label-curves.svg -command "$cmd" -note "$note"
echo "docs/LABEL.md and docs/label-curves.svg written"
