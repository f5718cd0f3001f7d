#!/usr/bin/python3
"""Benchmark stance against its peers on the public tasks of ../shared/data/tasks.yaml.

    bench/run.py [--tasks a,b] [--peers p,q | --no-peers] [--quick [--write]] [--work DIR]
                 [--data-dir DIR] [--workers N]

1. Builds the CLI from the working tree (go build -o WORK/stance ./cmd/stance).
2. Per task, runs stance with bench/configs/TASK.yaml, one measured child process per step:
   train on the train files of tasks.yaml (in order, with --articles where the task joins a bodies
   file) and export the test file; for a task with folds (baly2018), one `evaluate --cv 5
   --group-by group`, whose config reads the fold column as the group, so that the 5 CV folds are
   the official ones. Each step is timed like run_peers.py times a peer: wall seconds, and peak RSS
   of the child's process tree by os.wait4.
3. Scores every predictions CSV with the referee, ../shared/peers/score.py.
4. Runs the peers (../shared/peers/run_peers.py TASK --peers ... --out WORK/peers), one task after
   another after all stance runs, so that no two measurements overlap; or, with --no-peers or
   --quick, reads the figures a previous run left in WORK/peers/TASK.PEER.json, where present.
5. Prints the accuracy and speed tables and (not with --quick, unless --write) writes them to
   docs/BENCHMARKS.md, and the raw results to docs/benchmarks.json, each atomically.

A failing stance command (or predictions the referee rejects) prints its stderr; the other tasks
and the peers still run, the table shows FAILED, docs/ is left as it was, and the exit status is 1.
A failing build or peer run stops the run at once.

Standard library + PyYAML; run with /usr/bin/python3 (the peers need Debian's scikit-learn,
fasttext and liblinear-tools). bench/run.sh runs it from the repository root.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CONFIGS = REPO / "bench" / "configs"
DOCS = REPO / "docs"
OUTPUTS = ("docs/BENCHMARKS.md", "docs/benchmarks.json")  # written by this script: not "dirty"

# ft-auto is left out by default: its autotuning alone takes about 12 minutes over the five tasks.
DEFAULT_PEERS = "majority,sk-lr,sk-lr-pt,sk-lr-cv,liblinear,ft"
SPEED_PEERS = ("sk-lr", "ft")  # the peers of the speed table
CV_FOLDS = 5  # baly2018's official folds (tasks.yaml: folds.column)
LOADS = []  # the 1-minute load average after each measured command: how busy the machine was


class BenchError(Exception):
    """A command failed or its output is unusable: the message says which and why."""


# ---------------------------------------------------------------------------------------------
# Running and measuring one child process


def measure(cmd, log):
    """Run cmd as a child process with stdout and stderr going to log.out and log.err; return
    {wall_s, cpu_s, peak_rss_mb, stdout, stderr}. CPU seconds (user + system) and peak RSS are
    those of the child's process tree, from os.wait4; CPU time varies less than wall time on a busy
    machine."""
    cmd = [str(c) for c in cmd]
    out, err = log.parent / f"{log.name}.out", log.parent / f"{log.name}.err"
    with open(out, "wb") as fo, open(err, "wb") as fe:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=REPO, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    LOADS.append(os.getloadavg()[0])
    code = os.waitstatus_to_exitcode(status)
    stdout, stderr = out.read_text(errors="replace"), err.read_text(errors="replace")
    if code != 0:
        raise BenchError(f"command failed (exit {code}): {shlex.join(cmd)}\n"
                         f"--- its stderr ({err}) ---\n{stderr.rstrip()}\n--- end of stderr ---")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024,
            "stdout": stdout, "stderr": stderr}


def output(cmd):
    """A short command's stdout; a failure is a BenchError with its stderr."""
    r = subprocess.run([str(c) for c in cmd], cwd=REPO, capture_output=True, text=True)
    if r.returncode != 0:
        raise BenchError(f"command failed (exit {r.returncode}): {shlex.join(map(str, cmd))}\n{r.stderr.rstrip()}")
    return r.stdout


def rel(path):
    """path relative to the repository (commands run there), for commands that read well."""
    return Path(os.path.relpath(path, REPO))


def note(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# stance on one task


def stance_commands(binary, name, task, data_dir, work, workers):
    """The measured steps of one task: [(step, argv)], and the predictions CSV they leave."""
    config = CONFIGS / f"{name}.yaml"
    if not config.exists():
        raise BenchError(f"{name}: no stance config {config}")
    config, data_dir = rel(config), rel(data_dir)
    common = ["--config", config] + (["--workers", workers] if workers is not None else [])
    pred = work / f"{name}.stance.csv"
    if "folds" in task:
        data = data_dir / task["folds"]["file"]
        return [("cv", [binary, "evaluate", *common, "--cv", CV_FOLDS, "--group-by", "group", "--data", data,
                        "--predictions", pred, "--format", "json"])], pred
    if len(task["test"]) != 1:
        raise BenchError(f"{name}: tasks.yaml lists {len(task['test'])} test files; stance export reads one")
    model = work / f"{name}.stance"
    train_articles, test_articles = [], []
    if "join" in task:  # fnc1: bodies in a second file per split
        train_articles = ["--articles", data_dir / task["join"]["train"]]
        test_articles = ["--articles", data_dir / task["join"]["test"]]
    train_data = [arg for f in task["train"] for arg in ("--data", data_dir / f)]
    return [("train", [binary, "train", *common, *train_data, *train_articles, "--model", model]),
            ("predict", [binary, "export", *common, "--model", model, "--data", data_dir / task["test"][0],
                         *test_articles, "--out", pred])], pred


def run_stance(binary, name, task, data_dir, work, peers_dir, workers):
    """Train and predict (or cross-validate) one task, score it; return the raw result."""
    steps, pred = stance_commands(binary, name, task, data_dir, work, workers)
    pred.unlink(missing_ok=True)  # never score a previous run's predictions
    result = {"steps": {}}
    for step, cmd in steps:
        note(f"{name}: stance {step}: {shlex.join(map(str, cmd))}")
        m = measure(cmd, work / "logs" / f"{name}.stance.{step}")
        result["steps"][step] = {"command": shlex.join(map(str, cmd)), "stderr": m["stderr"].strip(),
                                 **{k: m[k] for k in ("wall_s", "cpu_s", "peak_rss_mb")}}
        note(f"{name}: stance {step}: {m['wall_s']:.1f} s wall, {m['cpu_s']:.1f} s CPU, peak RSS {m['peak_rss_mb']:.0f} MB")
    result["score"] = referee(name, pred, peers_dir, split="cv" if "folds" in task else None)
    timed = result["steps"]
    result.update(
        n_predicted=result["score"]["n"],
        # baly2018: one evaluate run trains and predicts all 5 folds; its wall time is the train figure
        train_s=timed["train"]["wall_s"] if "train" in timed else timed["cv"]["wall_s"],
        predict_s=timed["predict"]["wall_s"] if "predict" in timed else None,
        peak_rss_mb=max(t["peak_rss_mb"] for t in timed.values()),
        model_bytes=(work / f"{name}.stance").stat().st_size if "train" in timed else None,
    )
    return result


def referee(name, pred, peers_dir, split=None):
    """score.py's JSON report on one predictions file."""
    cmd = ["/usr/bin/python3", peers_dir / "score.py", name, pred] + (["--split", split] if split else [])
    report = json.loads(output(cmd))
    if split == "cv":
        folds = {len(h.get("per_fold", {})) for h in report["heads"].values()}
        if folds != {CV_FOLDS}:
            raise BenchError(f"{name}: the referee found {folds} folds, not {CV_FOLDS}")
    return report


# ---------------------------------------------------------------------------------------------
# Peers


def run_peers(name, peers, peers_dir, out):
    """run_peers.py on one task; its table goes to our stdout as it runs. Returns wall seconds."""
    cmd = ["/usr/bin/python3", peers_dir / "run_peers.py", name, "--peers", ",".join(peers), "--out", out]
    note(f"{name}: peers: {shlex.join(map(str, cmd))}")
    start = time.perf_counter()
    r = subprocess.run([str(c) for c in cmd], cwd=REPO, stderr=subprocess.PIPE, text=True)
    LOADS.append(os.getloadavg()[0])
    if r.returncode != 0:
        raise BenchError(f"peers failed on {name} (exit {r.returncode}): {shlex.join(map(str, cmd))}\n{r.stderr.rstrip()}")
    sys.stderr.write(r.stderr)
    return time.perf_counter() - start


def read_peers(name, peers, out):
    """{peer: run_peers.py's JSON} for the peers that have results for this task in out."""
    found = {}
    for peer in peers:
        path = out / f"{name}.{peer}.json"
        if path.exists():
            info = json.loads(path.read_text(encoding="utf-8"))
            if "score" in info:  # a worker that was stopped before scoring leaves no "score"
                info["measured_at"] = datetime.datetime.fromtimestamp(path.stat().st_mtime).astimezone().isoformat(timespec="seconds")
                found[peer] = info
    return found


# ---------------------------------------------------------------------------------------------
# Tables


def fmt(x, digits=4):
    return "–" if x is None else f"{x:.{digits}f}"


def bold_best(cells, values, best):
    """cells with the best of values (best: max or min; None values skipped) in bold."""
    present = [v for v in values if v is not None]
    if len(present) < 2:
        return cells
    target = best(present)
    return [f"**{c}**" if v is not None and v == target else c for c, v in zip(cells, values)]


def markdown(header, rows, right_from=1):
    """A Markdown table padded so that it also reads as plain text."""
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    def line(cells):
        return "| " + " | ".join(str(c).rjust(w) if i >= right_from else str(c).ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"
    rule = "|" + "|".join("-" * (w + 1) + ":" if i >= right_from else "-" * (w + 2) for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), rule] + [line(r) for r in rows])


def stance_cell(r, text):
    """text, or FAILED where the task's stance run failed."""
    return "FAILED" if r["stance"] is None else text


def accuracy_table(results, peers):
    """One row per task and head: the official metric of stance and of each peer."""
    header = ["task", "head", "metric", "stance"] + peers + (["best peer", "stance − best peer"] if peers else [])
    rows, notes = [], []
    for name, r in results.items():
        for head, metric in r["heads"].items():
            ours_report = r["stance"]["score"]["heads"][head] if r["stance"] else None
            theirs_reports = {p: r["peers"][p]["score"]["heads"][head] for p in peers if p in r["peers"]}
            ours = ours_report["official"] if ours_report else None
            theirs = [theirs_reports[p]["official"] if p in theirs_reports else None for p in peers]
            measured = [(v, p) for v, p in zip(theirs, peers) if v is not None]
            best_v, best_p = max(measured, key=lambda vp: vp[0]) if measured else (None, None)
            cells = bold_best([fmt(v) for v in [ours] + theirs], [ours] + theirs, max)
            cells[0] = stance_cell(r, cells[0])
            rows.append([name, head, metric] + cells
                        + ([f"{best_p} {fmt(best_v)}" if measured else "–",
                            f"{ours - best_v:+.4f}" if measured and ours is not None else "–"] if peers else []))
            folds = {"stance": ours_report, **theirs_reports}
            folds = {k: v for k, v in folds.items() if v and "fold_mean_official" in v}
            if folds:
                some = next(iter(folds.values()))
                notes.append(f"{name} {head}: official pooled over all {some['n']:,} out-of-fold predictions; "
                             f"mean of the {len(some['per_fold'])} folds' figures: "
                             + ", ".join(f"{k} {v['fold_mean_official']:.4f}" for k, v in folds.items()) + ".")
    return markdown(header, rows, right_from=3), notes


def speed_table(results, peers):
    """Per task: train seconds, predict comments/s, peak RSS of stance and of the speed peers."""
    systems = ["stance"] + [p for p in SPEED_PEERS if p in peers]
    header = ["task", "n predicted"]
    for sysname in systems:
        header += [f"{sysname} train s", f"{sysname} pred/s", f"{sysname} RSS MB"] + (["stance model bytes"] if sysname == "stance" else [])
    rows = []
    for name, r in results.items():
        figures = {}
        for sysname in systems:
            info = r["stance"] if sysname == "stance" else r["peers"].get(sysname)
            if info is None:
                figures[sysname] = (None, None, None)
                continue
            rate = info["n_predicted"] / info["predict_s"] if info.get("predict_s") else None
            figures[sysname] = (info["train_s"], rate, info["peak_rss_mb"])
        cols = {}
        for k, (digits, best) in enumerate([(1, min), (0, max), (0, min)]):
            values = [figures[s][k] for s in systems]
            cells = [fmt(v, digits) if v is None or digits else f"{v:,.0f}" for v in values]
            cols[k] = bold_best(cells, values, best)
        n = next((i["n_predicted"] for i in [r["stance"], *r["peers"].values()] if i), None)
        row = [name, "–" if n is None else f"{n:,}"]
        for i, sysname in enumerate(systems):
            row += [cols[0][i], cols[1][i], cols[2][i]]
            if sysname == "stance":
                b = r["stance"] and r["stance"]["model_bytes"]
                row = row[:-3] + [stance_cell(r, c) for c in row[-3:]] + [stance_cell(r, "–" if b is None else f"{b:,}")]
        rows.append(row)
    return markdown(header, rows, right_from=1)


# ---------------------------------------------------------------------------------------------
# The report


def git_commit():
    commit = output(["git", "rev-parse", "--short", "HEAD"]).strip()
    dirty = output(["git", "status", "--porcelain", "--", "."] + [f":(exclude){p}" for p in OUTPUTS]).strip()
    return commit + ("-dirty" if dirty else "")


def machine():
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    mem = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal:")), 0)
    return {"nproc": os.cpu_count(), "cpu": model, "mem_gib": round(mem / 2**20, 1),
            "os": f"{platform.system()} {platform.release()}"}


def report(meta, results, peers):
    acc, acc_notes = accuracy_table(results, peers)
    m = meta["machine"]
    loads = meta["loadavg_1min_after_each_step"] or [os.getloadavg()[0]]
    peer_source = (f"measured in this run by `run_peers.py` ({meta['peers_wall_s']:.0f} s)" if meta["peers_ran"]
                   else f"not run: figures read from a previous run's `{meta['peers_out']}/TASK.PEER.json`"
                        + (f" (files dated {', '.join(sorted(meta['peers_dates']))})" if meta["peers_dates"] else " (none found)"))
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `bench/run.py`; do not edit by hand, rerun it. Data: `{meta['data_dir']}` (tasks.yaml); "
        "scores by the referee `../shared/peers/score.py`; peers by `../shared/peers/run_peers.py` "
        "(their settings are described in `../shared/peers/README.md`).",
        "",
        f"- date: {meta['date']}",
        f"- commit: `{meta['commit']}` ({meta['stance_version']})",
        f"- machine: {m['nproc']} cores, {m['cpu']}, {m['mem_gib']} GiB RAM, {m['os']}; 1-minute load average "
        f"{min(loads):.1f} to {max(loads):.1f} after the measured steps (above {m['nproc']}, other work "
        "on the machine was slowing the figures of the speed table)",
        f"- command: `{meta['command']}`",
        f"- stance workers: {meta['workers'] if meta['workers'] is not None else 'all cores (the CLI default)'}"
        + (f"; environment overrides: {', '.join(f'`{k}={v}`' for k, v in meta['stance_env'].items())}" if meta["stance_env"] else ""),
        f"- peers: {peer_source}",
        f"- wall: {meta['wall_s']:.0f} s in all (stance {meta['stance_wall_s']:.0f} s)",
        "",
        "## Accuracy: each head's official metric",
        "",
        "Test split of tasks.yaml (baly2018: 5-fold cross-validation over the official folds). "
        "Bold: the best figure of the row. Stance − best peer is signed: positive means stance is ahead.",
        "",
        acc,
        "",
    ]
    if acc_notes:
        lines += [f"- {n}" for n in acc_notes] + [""]
    lines += [
        "## Speed and size",
        "",
        speed_table(results, peers),
        "",
        "- stance: wall seconds of each whole `stance` process (reading the data, training and writing "
        "the model; reading, scoring and writing the CSV), with all its cores unless workers says "
        "otherwise. Peers: run_peers.py's in-process timers around fit and predict (data already read), "
        "one thread each. Peak RSS: the child's process tree (os.wait4), the larger of train and predict for stance.",
        "- baly2018: stance's train s is the whole 5-fold `evaluate --cv` run (5 trainings and their "
        "predictions), so it has no separate prediction rate; the peers' figures sum their 5 folds.",
        "- Model bytes are for stance only: run_peers.py keeps its models in a temporary directory "
        "that it deletes. fastText's models are about 800 MB each with its default 2M buckets "
        "(../shared/peers/README.md), and its rate on small test sets is dominated by loading them.",
        "",
    ]
    lines += new_articles()
    lines += at_scale()
    return "\n".join(lines)


def new_articles():
    """The new-article benchmark as bench/newarticles.py last measured it (docs/NEW_ARTICLES.md,
    with its own date and commit): every test article unseen in training, peers on the same folds."""
    path = DOCS / "NEW_ARTICLES.md"
    if not path.exists():
        return []
    body = path.read_text(encoding="utf-8").split("\n", 1)[1].strip()  # without its title
    return ["## New articles (from docs/NEW_ARTICLES.md)", "", body, ""]


def at_scale():
    """The speed issue's ratios as bench/scale.sh (docs/SCALE.md) and bench/curve.sh (docs/CURVE.md)
    last measured them, each with its own date and commit: those runs take minutes of their own."""
    out = ["## At scale (from docs/SCALE.md and docs/CURVE.md)", ""]
    def stamp(text):
        got = dict(re.findall(r"^- (date|commit): (.*)$", text, re.M))
        return f"{got.get('date', '?')}, commit {got.get('commit', '?')}"
    scale, curve = DOCS / "SCALE.md", DOCS / "CURVE.md"
    if scale.exists():
        text = scale.read_text(encoding="utf-8")
        out += [f"Scoring 1,000,000 comments (`bench/scale.sh`, {stamp(text)}):", ""]
        out += [l for l in text.splitlines() if l.startswith(("- vs ", "- peak RSS"))] + [""]
    if curve.exists():
        text = curve.read_text(encoding="utf-8")
        out += [f"Training on all of fnc1 (`bench/curve.sh`, {stamp(text)}):", ""]
        rows = text.splitlines()
        start = next((i for i, l in enumerate(rows) if l.startswith("| system |")), len(rows))
        table = []
        for l in rows[start:]:
            if not l.startswith("|"):
                break
            table.append(l)
        out += table + [""]
    return out if len(out) > 2 else []


def write_atomic(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------------------


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    ap.add_argument("--tasks", help="comma-separated tasks (default: every task of tasks.yaml)")
    ap.add_argument("--peers", default=DEFAULT_PEERS, help=f"peers to run (default {DEFAULT_PEERS}; ft-auto adds ~12 min)")
    ap.add_argument("--no-peers", action="store_true", help="run no peers; read a previous run's WORK/peers/*.json")
    ap.add_argument("--quick", action="store_true", help="stance only (as --no-peers), and write docs only with --write")
    ap.add_argument("--write", action="store_true", help="with --quick: write docs/BENCHMARKS.md and docs/benchmarks.json too")
    ap.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "stance-bench",
                    help="binary, models, predictions, logs and peer results (default $TMPDIR/stance-bench or /tmp/stance-bench)")
    ap.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data",
                    help="the folder of tasks.yaml (default ../shared/data); the peers and referee are in its ../peers")
    ap.add_argument("--workers", type=int, help="stance --workers for every step (default: the CLI's, all cores)")
    args = ap.parse_args(argv)
    if args.write and not args.quick:
        ap.error("--write only applies to --quick (a full run always writes docs/)")

    started = time.perf_counter()
    data_dir = args.data_dir.resolve()
    peers_dir = data_dir.parent / "peers"
    tasks_yaml = data_dir / "tasks.yaml"
    if not tasks_yaml.exists():
        ap.error(f"no {tasks_yaml}: give --data-dir, the folder of tasks.yaml")
    tasks = yaml.safe_load(tasks_yaml.read_text(encoding="utf-8"))["tasks"]
    chosen = args.tasks.split(",") if args.tasks else list(tasks)
    unknown = [t for t in chosen if t not in tasks]
    if unknown:
        ap.error(f"unknown task {', '.join(unknown)}; tasks.yaml has {', '.join(tasks)}")
    peers = [p for p in args.peers.split(",") if p]
    run_peer_runs = not (args.no_peers or args.quick)
    work = args.work.resolve()
    (work / "logs").mkdir(parents=True, exist_ok=True)
    peers_out = work / "peers"
    command = os.environ.get("BENCH_INVOCATION") or shlex.join(["bench/run.py"] + sys.argv[1:])

    try:
        commit = git_commit()  # before the build: the tree the binary is built from
        binary = work / "stance"
        note(f"building {binary} from {REPO} at {commit}")
        output(["go", "build", "-o", binary, "./cmd/stance"])
        meta = {
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "commit": commit,
            "stance_version": " ".join(output([binary, "version"]).split()),
            "machine": machine(),
            "command": command,
            "data_dir": str(rel(data_dir)),
            "workers": args.workers,
            "stance_env": {k: v for k, v in sorted(os.environ.items()) if k.startswith("STANCE_")},
            "tasks": chosen,
            "peers": peers,
            "peers_ran": run_peer_runs,
            "peers_out": str(peers_out),
        }
        results, failed = {}, {}
        for name in chosen:  # stance first: a broken build or config shows in seconds, not after the peers
            results[name] = {"heads": {h: v["metric"] for h, v in tasks[name]["labels"].items()}, "stance": None}
            try:
                results[name]["stance"] = run_stance(binary, name, tasks[name], data_dir, work, peers_dir, args.workers)
            except BenchError as e:  # loud, but the other tasks (and their peers) still run
                print(f"bench/run.py: {name}: stance failed: {e}", file=sys.stderr, flush=True)
                failed[name] = results[name]["stance_error"] = str(e)
        if len(failed) == len(chosen):
            raise BenchError(f"stance failed on every task ({', '.join(failed)}); no peers were run")
        meta["stance_wall_s"] = time.perf_counter() - started
        meta["peers_wall_s"] = 0.0
        for name in chosen:
            if run_peer_runs:
                meta["peers_wall_s"] += run_peers(name, peers, peers_dir, peers_out)
            results[name]["peers"] = read_peers(name, peers, peers_out)
        meta["peers_dates"] = sorted({i["measured_at"][:10] for r in results.values() for i in r["peers"].values()})
    except BenchError as e:
        print(f"bench/run.py: {e}", file=sys.stderr)
        return 1
    meta["wall_s"] = time.perf_counter() - started
    meta["loadavg_1min_after_each_step"] = LOADS
    meta["failed"] = list(failed)
    raw = {"meta": meta, "results": results}
    write_atomic(work / "results.json", json.dumps(raw, indent=1, ensure_ascii=False) + "\n")

    # Only the peers that have a figure somewhere (sk-lr-pt is for target tasks only).
    shown = [p for p in peers if any(p in r["peers"] for r in results.values())]
    text = report(meta, results, shown)
    print(text)
    if failed:  # a table with a hole in it does not replace the last complete one
        print(f"bench/run.py: stance FAILED on {', '.join(failed)} (stderr above and in {work / 'logs'}); "
              f"docs/ left as it was; raw results in {work / 'results.json'}", file=sys.stderr)
        return 1
    if not args.quick or args.write:
        write_atomic(DOCS / "benchmarks.json", json.dumps(raw, indent=1, ensure_ascii=False) + "\n")
        write_atomic(DOCS / "BENCHMARKS.md", text)
        note(f"wrote {DOCS / 'BENCHMARKS.md'} and {DOCS / 'benchmarks.json'}")
    note(f"total wall: {meta['wall_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
