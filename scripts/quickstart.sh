#!/usr/bin/env bash
# The main job on the project's own sample data: build, train, cross-validate by article, score a
# few comments, export a CSV, and sum the scores up per article and per day. Everything it writes goes to out/ (or $OUT).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-out}
mkdir -p "$out" bin
# The version stance version prints: git describe's (a tag, or the commit and -dirty), as a
# release build sets it (README, "Building"); go build records no commit in a git worktree.
version=$(git describe --tags --always --dirty 2>/dev/null || echo devel)
go build -ldflags "-X main.version=$version" -o bin/stance ./cmd/stance
stance=bin/stance
sample=data/sample

echo "== 1. Train on $sample/comments.csv (heads: stance, sentiment)"
$stance train --data $sample/comments.csv --articles $sample/articles.csv --model "$out/sample.stance"

echo
echo "== 2. 5-fold cross-validation, grouped by article (every test article is unseen in training), with each article's figures"
$stance evaluate --cv 5 --group-by article --by article --data $sample/comments.csv --articles $sample/articles.csv

echo
echo "== 3. Score comments: the founding example's, then the sample's unlabelled ones"
$stance score --model "$out/sample.stance" \
  --article "سوريا والعراق تتفقان على تنسيق الجهود الامنية ضد الارهاب على الحدود المشتركة" \
  "الله يبارك كل جهود ضد الارهاب" "كلامه صحيح" "كلام فاضي ما في شي رح يتغير"
$stance score --model "$out/sample.stance" --data $sample/new_comments.csv --articles $sample/articles.csv

echo
echo "== 4. Export scores for $sample/new_comments.csv"
$stance export --model "$out/sample.stance" --data $sample/new_comments.csv --articles $sample/articles.csv --out "$out/scores.csv"

echo
echo "== 5. Sum them up per article: the share of each stance and sentiment among its comments"
$stance summarize --model "$out/sample.stance" --data $sample/new_comments.csv --articles $sample/articles.csv --out "$out/summary.txt"
cat "$out/summary.txt"

echo
echo "== 6. Day by day: each article's shares per day of its comments' created_at (the labelled file, whose comments have times over several days), drawn as line charts in $out/trends.html"
$stance summarize --model "$out/sample.stance" --data $sample/comments.csv --articles $sample/articles.csv \
  --by-time day --out "$out/trends.txt" --report "$out/trends.html"
sed -n '/^== stance/,$p' "$out/trends.txt"

echo
echo "Files written:"
echo "  model:  $out/sample.stance ($(wc -c < "$out/sample.stance") bytes)"
echo "  scores: $out/scores.csv ($(($(wc -l < "$out/scores.csv") - 1)) rows)"
echo "  summary per article: $out/summary.txt"
echo "  per article and day: $out/trends.txt, charts in $out/trends.html"
echo "  binary: bin/stance (try: bin/stance --help, or bin/stance info --model $out/sample.stance)"
