"""`gigs batch` on the demo bundle: local engine vs Ray engine vs separate `gigs run` calls.

Runs ITEMS × the bundle's 5 taste segments with reduced steps, on the local engine (one
process, one thread) and on the Ray engine (a local cluster, WORKERS workers × 1 thread),
checks that both give identical results, then times RUNS separate `gigs run` calls of the
first jobs (one process each, as a shell loop would) and extrapolates their jobs/hour.
Peak memory is the peak summed RSS of the command's whole process tree (Ray's own
processes included), sampled every 0.2 s.

    nice python benchmarks/bench_batch.py --out /tmp/bench-batch        # writes only under --out
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path


def tree_rss(root: int) -> int:
    """Summed resident memory of ``root`` and all its descendants, from /proc (Linux)."""
    parents, rss = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):  # a process that just ended
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            status = (entry / "status").read_text()
            rss[int(entry.name)] = int(status.split("VmRSS:")[1].split()[0]) * 1024 if "VmRSS:" in status else 0
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(pid, 0) for pid in tree)


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """(wall seconds, peak tree RSS in bytes, exit code)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_rss(child.pid))
        time.sleep(0.2)
    if child.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed:\n{child.stderr.read()[-2000:]}")
    return time.perf_counter() - started, peak, child.returncode


def reports(folder: Path) -> dict[str, dict]:
    return {job.name: json.loads((job / "report.json").read_text())["items"][0] for job in (folder / "jobs").iterdir()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="scratch folder (replaced)")
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--inversion-steps", type=int, default=10)
    parser.add_argument("--shift-steps", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=20, help="separate `gigs run` calls to time")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    env = dict(os.environ, OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1")
    gigs = [sys.executable, "-m", "gigs_core"]
    steps = ["--inversion-steps", str(args.inversion_steps), "--shift-steps", str(args.shift_steps)]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from gigs_demo.batch import DemoBatch

    demo = DemoBatch({})
    item_ids = [item.id for item in demo.items()][: args.items]
    segments = [segment.name for segment in demo.segments()]
    only = ["--only", ",".join(item_ids)]
    rows = []
    for engine, extra in (("local", []), ("ray", ["--workers", str(args.workers)])):
        out = args.out / engine
        seconds, peak, _ = measure([*gigs, "batch", *steps, *only, "-q", "--engine", engine, *extra,
                                    "--out", str(out)], env)
        jobs = len(reports(out))
        rows.append((f"gigs batch --engine {engine}", jobs, seconds, jobs / seconds * 3600, peak))
    local, ray = reports(args.out / "local"), reports(args.out / "ray")
    equal = local.keys() == ray.keys() and all(local[key] == ray[key] for key in local)

    with (args.out / "local" / "summary.csv").open() as handle:
        jobs = [row for row in csv.DictReader(handle)][: args.runs]
    started, peak = time.perf_counter(), 0
    same = 0
    items = {item.id: item for item in demo.items()}
    for index, job in enumerate(jobs):
        single = args.out / "runs" / str(index)
        demo_item = list(items).index(job["item"])
        _, run_peak, _ = measure([*gigs, "run", *steps, "-q", "--demo-item", str(demo_item), "--segment",
                                  job["segment"], "--seed", job["seed"], "--out", str(single)], env)
        peak = max(peak, run_peak)
        alone = json.loads((single / "report.json").read_text())["items"][0]
        same += alone["variant_preferences"] == local[job["key"]]["variant_preferences"]
    seconds = time.perf_counter() - started
    rows.append((f"{len(jobs)} separate gigs run (extrapolated)", len(jobs), seconds, len(jobs) / seconds * 3600, peak))

    print(f"demo bundle, {len(item_ids)} items x {len(segments)} segments, --inversion-steps {args.inversion_steps} "
          f"--shift-steps {args.shift_steps}, 1 thread per worker, {os.cpu_count()} CPUs")
    print(f"{'how':<42}{'jobs':>6}{'wall s':>9}{'jobs/hour':>11}{'peak RSS MB':>13}")
    for how, count, wall, rate, rss in rows:
        print(f"{how:<42}{count:>6}{wall:>9.1f}{rate:>11,.0f}{rss / 1e6:>13,.0f}")
    print(f"ray results identical to local: {equal}; separate gigs run variant preferences identical to the "
          f"batch's (batch size 8): {same}/{len(jobs)}")


if __name__ == "__main__":
    main()
