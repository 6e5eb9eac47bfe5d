"""Time the default `gigs run` (no arguments: the demo bundle) end to end.

Each repetition runs `python -m gigs_core run -q -o TMP` in a fresh subprocess,
so the wall time includes interpreter start-up, imports and model loading, and
the peak resident memory (ru_maxrss of that child) is the run's own.

    python benchmarks/bench_demo.py [--repeat 3] [--threads N] [--bundle DIR] [-- extra gigs run args]

Prints a table: wall time, the run's own total (report.json), peak RSS.
The demo's target is ≤ 60 s on a 2-core CPU (docs/demo.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one_run(args, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "run"
        command = [sys.executable, "-m", "gigs_core", "run", "-q", "-o", str(out), *extra]
        if args.bundle:
            command += ["--bundle", args.bundle]
        env = dict(os.environ, HF_HUB_OFFLINE="1")
        if args.threads:
            env["OMP_NUM_THREADS"] = str(args.threads)
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if process.returncode != 0:
            sys.exit(f"gigs run failed:\n{output}")
        report = json.loads((out / "report.json").read_text())
    return {"peak_rss_mb": usage.ru_maxrss / 1024, "wall_s": wall, "total_s": report["timings"]["total_s"], "shifting_s": report["timings"]["shifting_s"],
            "inversion_s": report["timings"].get("inversion_s", 0.0), "output": output}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--threads", type=int, help="OMP_NUM_THREADS for the child (default: inherit)")
    parser.add_argument("--bundle", help="bundle folder (default: $GIGS_DEMO_BUNDLE or the shipped one)")
    parser.add_argument("extra", nargs="*", help="extra `gigs run` arguments (after --)")
    args = parser.parse_args()
    rows = []
    for index in range(args.repeat):
        row = one_run(args, args.extra)  # ru_maxrss is in KiB on Linux
        rows.append(row)
        if index == 0:
            print(row["output"].rstrip())
            print()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
          f"OMP_NUM_THREADS={args.threads or os.environ.get('OMP_NUM_THREADS', 'unset')}")
    print(f"{'run':<5}{'wall s':>9}{'run total s':>13}{'inversion s':>13}{'shifting s':>12}{'peak RSS MB':>13}")
    for index, row in enumerate(rows):
        print(f"{index:<5}{row['wall_s']:>9.1f}{row['total_s']:>13.1f}{row['inversion_s']:>13.1f}"
              f"{row['shifting_s']:>12.1f}{row['peak_rss_mb']:>13.0f}")
    if len(rows) > 1:
        walls = sorted(row["wall_s"] for row in rows)
        print(f"median wall time {walls[len(walls) // 2]:.1f} s; target ≤ 60 s")


if __name__ == "__main__":
    main()
