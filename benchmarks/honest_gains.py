"""Honest gains on the demo: is the gain real, or an artefact of optimising against one model?

Runs the default demo (the bundle's settings) for bundled items × taste segments, in-process,
and prints per run the mean gain of the variants over the item by three scorers: DVBPR (the
recommender GIGS optimised against), the bundle's judge (a second DVBPR, another
architecture and seed, trained on the same interactions) and the synthetic users'
ground-truth utility. Each gain is also given in that scorer's standard deviations over
the 10,000 catalogue items for the segment (σ), with the judge's and the ground truth's
ratio to the optimised gain in σ. The last lines summarise over all runs.

    python benchmarks/honest_gains.py [--items 0,…,9] [--segments all] [--bundle DIR] [--json FILE]
    python benchmarks/honest_gains.py --rows FILE     # the summary of rows a run wrote with --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", default=",".join(map(str, range(10))))
    parser.add_argument("--segments", default="all", help="comma-separated taste segments, or all (not everyone)")
    parser.add_argument("--bundle")
    parser.add_argument("--json", help="also write the rows here")
    parser.add_argument("--rows", help="summarise the rows in this file (written by --json) instead of running")
    args = parser.parse_args()
    if args.rows:
        with open(args.rows) as handle:
            summarise(json.load(handle))
        return

    from gigs_core.report.gains import OPTIMISED
    from gigs_demo.bundle import EVERYONE, GROUND_TRUTH, JUDGE, DemoBundle
    from gigs_demo.runner import DemoRequest, run_demo

    bundle = DemoBundle(args.bundle)
    if JUDGE not in bundle.judges():
        raise SystemExit(f"the bundle in {bundle.folder} has no judge; rebuild it with `gigs demo build`")
    segments = [s for s in bundle.segments if s != EVERYONE] if args.segments == "all" else args.segments.split(",")
    scorers = (OPTIMISED, JUDGE, GROUND_TRUTH)
    print(f"{'item':<24}{'segment':<17}" + "".join(f"{name + ' gain':>20}{'σ':>7}" for name in scorers)
          + f"{'judge/opt':>10}{'truth/opt':>10}{'s':>6}")
    rows = []
    for segment in segments:
        for index in (int(i) for i in args.items.split(",")):
            started = time.perf_counter()
            run = run_demo(DemoRequest(bundle=args.bundle, demo_item=index, segment=segment))
            gains = run.gains_in_std()
            (name, entry), = gains["items"].items()
            row = {"item": name, "segment": segment, "seconds": time.perf_counter() - started,
                   **{f"{scorer}_gain": entry[scorer]["gain"] for scorer in scorers},
                   **{f"{scorer}_gain_in_std": entry[scorer]["gain_in_std"] for scorer in scorers},
                   "judge_ratio": entry[JUDGE]["ratio_to_optimised"],
                   "truth_ratio": entry[GROUND_TRUTH]["ratio_to_optimised"]}
            rows.append(row)
            print(f"{name:<24}{segment:<17}"
                  + "".join(f"{row[f'{s}_gain']:>+20.4f}{row[f'{s}_gain_in_std']:>+7.2f}" for s in scorers)
                  + f"{row['judge_ratio']:>10.2f}{row['truth_ratio']:>10.2f}{row['seconds']:>6.1f}", flush=True)

    summarise(rows)
    print(f"total {sum(r['seconds'] for r in rows):.0f} s")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=2)


def spread(values: list[float]) -> str:
    return f"{statistics.mean(values):+.2f} ± {statistics.stdev(values) if len(values) > 1 else 0.0:.2f}"


def summarise(rows: list[dict]) -> None:
    """Mean ± std over runs of each scorer's gain in σ, how often it rose, the judged / optimised
    ratios (per run, and of the means: per-run ratios blow up where the optimised gain is near 0),
    disagreements on the direction, and the mean gains in σ per segment."""
    from gigs_core.report.gains import OPTIMISED
    from gigs_demo.bundle import GROUND_TRUTH, JUDGE

    scorers = (OPTIMISED, JUDGE, GROUND_TRUTH)
    segments = list(dict.fromkeys(r["segment"] for r in rows))
    print(f"\n{len(rows)} runs ({len(set(r['item'] for r in rows))} items × {len(segments)} segments); "
          "mean ± std over runs:")
    for scorer in scorers:
        in_std = [r[f"{scorer}_gain_in_std"] for r in rows]
        up = sum(r[f"{scorer}_gain"] > 0 for r in rows)
        print(f"  {scorer:<14} gain in σ {spread(in_std)}; positive in {up}/{len(rows)} runs")
    optimised_mean = statistics.mean(r[f"{OPTIMISED}_gain_in_std"] for r in rows)
    for label, key, scorer in (("judge", "judge_ratio", JUDGE), ("ground truth", "truth_ratio", GROUND_TRUTH)):
        disagree = sum((r[f"{scorer}_gain"] > 0) != (r[f"{OPTIMISED}_gain"] > 0) for r in rows)
        of_means = statistics.mean(r[f"{scorer}_gain_in_std"] for r in rows) / optimised_mean
        print(f"  {label} / optimised (in σ): per run {spread([r[key] for r in rows])}, of the means {of_means:.2f}; "
              f"disagrees on the direction in {disagree}/{len(rows)} runs")
    print("per segment, mean gain in σ (" + ", ".join(scorers) + "); runs where the ground truth rose:")
    for segment in segments:
        chosen = [r for r in rows if r["segment"] == segment]
        means = ", ".join(f"{statistics.mean(r[f'{s}_gain_in_std'] for r in chosen):+.2f}" for s in scorers)
        print(f"  {segment:<17} {means}; {sum(r[f'{GROUND_TRUTH}_gain'] > 0 for r in chosen)}/{len(chosen)}")


if __name__ == "__main__":
    main()
