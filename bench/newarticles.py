#!/usr/bin/python3
"""The new-article benchmark: stance and its peers on articles (threads, bodies, claims, targets)
that training never saw, on the public tasks of ../shared/data/tasks.yaml.

    bench/newarticles.py [--tasks a,b] [--peers majority,sk-lr] [--work DIR] [--write]

What users do is score comments under today's articles with a model trained on last month's. So
every task's training rows (baly2018: all its rows) are split into folds that never split an
article, and each fold is predicted by models trained on the others:

  semeval2016-a, mawqif   leave one target out (5 and 3 folds): the target is the "article"
  rumoureval2017-a        5 folds grouped by thread (StratifiedGroupKFold, shuffle, seed 0)
  fnc1                    5 folds grouped by body (the same)
  baly2018                its 5 official folds, which are by claim

The folds are written once, as a fold column of one CSV per task (WORK/TASK.grouped.csv); stance
reads them as its group column (`evaluate --cv K --group-by group`, the defaults otherwise: each
fold's training part tunes itself, grouped by article), and the peers of ../shared/peers/run_peers.py
train on the same folds (its fit_and_predict over a task whose folds are that file). Every
prediction file is scored by the referee, ../shared/peers/score.py, pooled over the folds.

Writes docs/NEW_ARTICLES.md and docs/new_articles.json (with --write), each whole or not at all.
Standard library + the referee's and peers' modules; run with /usr/bin/python3.
"""
import argparse
import csv
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DOCS = REPO / "docs"
sys.path.insert(0, str(SHARED / "peers"))
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import score  # noqa: E402
import run_peers  # noqa: E402
from sklearn.model_selection import StratifiedGroupKFold  # noqa: E402

TASKS = ["semeval2016-a", "mawqif", "rumoureval2017-a", "fnc1", "baly2018"]
HOW = {
    "semeval2016-a": "leave one target out",
    "mawqif": "leave one target out",
    "rumoureval2017-a": "5 folds by thread",
    "fnc1": "5 folds by body",
    "baly2018": "5 official folds by claim",
}
DEFAULT_PEERS = "majority,sk-lr"


def note(msg):
    print(msg, file=sys.stderr, flush=True)


def grouped_rows(name, tasks):
    """The task's rows with a fold that keeps each article together."""
    task = tasks[name]
    if "folds" in task:
        rows = score.load_rows(name, "all", tasks)
        return rows, [r["fold"] for r in rows]
    rows = score.load_rows(name, "train", tasks)
    if name in run_peers.ARTICLE_IS_TARGET:
        targets = sorted({r["article"] for r in rows})
        return rows, [f"target{targets.index(r['article']) + 1}" for r in rows]
    first = next(iter(task["labels"]))
    y = np.array([r["labels"][first] for r in rows])
    groups = [r["group"] for r in rows]
    fold = [None] * len(rows)
    for k, (_, test) in enumerate(StratifiedGroupKFold(5, shuffle=True, random_state=0).split(np.zeros(len(y)), y, groups)):
        for i in test:
            fold[i] = f"fold{k + 1}"
    return rows, fold


def write_grouped(name, tasks, work):
    """WORK/TASK.grouped.csv and the task description the referee and the peers read it by."""
    rows, folds = grouped_rows(name, tasks)
    heads = list(tasks[name]["labels"])
    path = work / f"{name}.grouped.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text", "article", "group", "fold"] + heads)
        for i, (r, fold) in enumerate(zip(rows, folds)):
            w.writerow([i + 1, r["text"], r["article"], r["group"] or "", fold] + [r["labels"][h] for h in heads])
    spec = {
        "format": "csv",
        "folds": {"file": str(path), "column": "fold"},
        "columns": {"id": "id", "text": "text", "article": "article", "group": "group"},
        "labels": {h: {"column": h, "classes": v["classes"], "metric": v["metric"]} for h, v in tasks[name]["labels"].items()},
    }
    return path, spec, len(set(folds)), len(rows)


def stance_config(name, tasks, work):
    """A data-only config for the grouped CSV: its columns, with the fold as the group column."""
    labels = {h: h for h in tasks[name]["labels"]}
    metrics = {h: v["metric"] for h, v in tasks[name]["labels"].items()}
    path = work / f"{name}.grouped.yaml"
    path.write_text(json.dumps({  # JSON is YAML
        "format": "csv",
        "columns": {"id": "id", "text": "text", "article": "article", "group": "fold"},
        "labels": labels, "metrics": metrics,
    }))
    return path


def run_stance(binary, name, tasks, data, folds, work):
    pred = work / f"{name}.grouped.stance.csv"
    pred.unlink(missing_ok=True)
    cmd = [str(binary), "evaluate", "--config", str(stance_config(name, tasks, work)), "--cv", str(folds),
           "--group-by", "group", "--data", str(data), "--predictions", str(pred), "--format", "json"]
    note(f"{name}: stance: {' '.join(cmd)}")
    start = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, err = child.communicate()
    wall = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"{name}: stance failed (exit {child.returncode}):\n{err}")
    return pred, wall, err


def score_heads(name, pred, spec):
    r = score.score_file(name, pred, "cv", tasks={name: spec})
    return {h: {"official": v["official"], "macro_f1": v["macro_f1"], "accuracy": v["accuracy"]} for h, v in r["heads"].items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--peers", default=DEFAULT_PEERS, help=f"peers of run_peers.py (default {DEFAULT_PEERS})")
    ap.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "stance-newarticles")
    ap.add_argument("--write", action="store_true", help="write docs/NEW_ARTICLES.md and docs/new_articles.json")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    binary = args.work / "stance"
    subprocess.run(["go", "build", "-o", str(binary), "./cmd/stance"], cwd=REPO, check=True)
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    tasks = score.load_tasks()
    results = []
    for name in args.tasks.split(","):
        data, spec, nfolds, n = write_grouped(name, tasks, args.work)
        pred, wall, err = run_stance(binary, name, tasks, data, nfolds, args.work)
        rec = {"task": name, "how": HOW[name], "folds": nfolds, "n": n, "stance_s": wall,
               "systems": {"stance": score_heads(name, pred, spec)}}
        for peer in args.peers.split(","):
            note(f"{name}: {peer}")
            out = args.work / "peers"
            out.mkdir(exist_ok=True)
            start = time.perf_counter()
            run_peers.fit_and_predict(name, peer, out, {name: spec})
            rec[f"{peer}_s"] = time.perf_counter() - start
            rec["systems"][peer] = score_heads(name, out / f"{name}.{peer}.csv", spec)
        results.append(rec)
        for h in rec["systems"]["stance"]:
            row = "  ".join(f"{s} {v[h]['official']:.4f}" for s, v in rec["systems"].items())
            note(f"{name} {h}: {row}")
    text = render(results, commit, args)
    print(text)
    if args.write:
        write_atomic(DOCS / "NEW_ARTICLES.md", text)
        write_atomic(DOCS / "new_articles.json", json.dumps({"commit": commit, "results": results}, indent=1) + "\n")
        bench = DOCS / "BENCHMARKS.md"
        if bench.exists():  # the section bench/run.py draws from NEW_ARTICLES.md, redrawn now
            write_atomic(bench, with_section(bench.read_text(encoding="utf-8"), text))


def with_section(doc, text):
    """doc with its "## New articles" section replaced by text (inserted before "## At scale",
    or appended, when it has none)."""
    section = "## New articles (from docs/NEW_ARTICLES.md)\n\n" + text.split("\n", 1)[1].strip() + "\n\n"
    lines = doc.splitlines(keepends=True)
    start = next((i for i, l in enumerate(lines) if l.startswith("## New articles")), None)
    if start is None:
        at = next((i for i, l in enumerate(lines) if l.startswith("## At scale")), len(lines))
        return "".join(lines[:at]) + section + "".join(lines[at:])
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "".join(lines[:start]) + section + "".join(lines[end:])


def render(results, commit, args):
    peers = args.peers.split(",")
    lines = [
        "# New articles: every test article unseen in training",
        "",
        f"`bench/newarticles.py --tasks {args.tasks} --peers {args.peers}` at {commit}, "
        f"{datetime.date.today().isoformat()}, on {os.cpu_count()} cores. Each task's training rows"
        " (baly2018: all its rows) in folds that never split an article, thread, body, claim or target; stance"
        " with its defaults (`evaluate --cv K --group-by group` on the fold column: each fold's training part"
        " tunes itself by cross-validation grouped by article), the peers of `../shared/peers/run_peers.py` on"
        " the same folds; every figure is the referee's (`score.py`, pooled over the folds).",
        "",
        "| task | folds | head | metric | stance | " + " | ".join(peers) + " | stance − best peer |",
        "|---|---|---|---|---:|" + "---:|" * len(peers) + "---:|",
    ]
    metric_of = {name: {h: v["metric"] for h, v in score.load_tasks()[name]["labels"].items()} for name in TASKS}
    for rec in results:
        for h, v in rec["systems"]["stance"].items():
            s = v["official"]
            peer_vals = [rec["systems"][p][h]["official"] for p in peers]
            best = max(peer_vals)
            cells = " | ".join(f"{x:.4f}" for x in peer_vals)
            lines.append(f"| {rec['task']} | {rec['how']} | {h} | {metric_of[rec['task']][h]} | "
                         f"{'**' if s >= best else ''}{s:.4f}{'**' if s >= best else ''} | {cells} | {s - best:+.4f} |")
    lines += ["", "Wall seconds of each system over all its folds (training with tuning, and prediction):", "",
              "| task | stance | " + " | ".join(peers) + " |", "|---|---:|" + "---:|" * len(peers)]
    for rec in results:
        lines.append(f"| {rec['task']} | {rec['stance_s']:.0f} | " + " | ".join(f"{rec[p + '_s']:.0f}" for p in peers) + " |")
    return "\n".join(lines) + "\n"


def write_atomic(path, text):
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
