"""Does the demo raise what the segment prefers, and does the users' true utility follow?

Runs the default demo (the bundle's settings) for several bundled items × taste
segments, in-process, and prints per run: the group preference (DVBPR) and the
ground-truth utility of the item, of its reconstruction and the mean of its
variants, with catalogue ranks; then a summary of how often each rose.

    python benchmarks/demo_quality.py [--items 0,1,2,3,4] [--segments minimalist,statement,compact]
                                      [--bundle DIR] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", default="0,1,2,3,4")
    parser.add_argument("--segments", default="minimalist,statement,compact")
    parser.add_argument("--bundle")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--json", help="also write the rows here")
    args = parser.parse_args()

    from gigs_demo.runner import DemoRequest, run_demo

    rows = []
    header = (f"{'item':<26}{'segment':<17}{'pref item':>10}{'recon':>9}{'variants':>9}{'Δpref':>8}"
              f"{'true item':>10}{'recon':>9}{'variants':>9}{'Δtrue':>8}{'rank item→best':>17}{'s':>6}")
    print(header)
    for segment in args.segments.split(","):
        for index in (int(i) for i in args.items.split(",")):
            started = time.perf_counter()
            run = run_demo(DemoRequest(bundle=args.bundle, demo_item=index, segment=segment, seed=args.seed))
            (name, table), = run.evaluation["items"].items()
            item, recon, variants = table[0], table[1], table[2:]

            def mean(key: str, variants=variants) -> float:
                return sum(r[key] for r in variants) / len(variants)

            row = {
                "item": name, "segment": segment,
                "pref_item": item["group_preference"], "pref_reconstruction": recon["group_preference"],
                "pref_variants": mean("group_preference"),
                "true_item": item["ground_truth_utility"], "true_reconstruction": recon["ground_truth_utility"],
                "true_variants": mean("ground_truth_utility"),
                "rank_item": item["rank_by_preference"],
                "rank_best_variant": min(r["rank_by_preference"] for r in variants),
                "true_rank_item": item["rank_by_ground_truth"],
                "true_rank_best_variant": min(r["rank_by_ground_truth"] for r in variants),
                "distance_variants": mean("distance_to_item"),
                "distance_reconstruction": recon["distance_to_item"],
                "seconds": time.perf_counter() - started,
            }
            row["pref_gain"] = row["pref_variants"] - row["pref_item"]
            row["true_gain"] = row["true_variants"] - row["true_item"]
            rows.append(row)
            print(f"{name[:25]:<26}{segment:<17}{row['pref_item']:>10.3f}{row['pref_reconstruction']:>9.3f}"
                  f"{row['pref_variants']:>9.3f}{row['pref_gain']:>+8.3f}{row['true_item']:>10.3f}"
                  f"{row['true_reconstruction']:>9.3f}{row['true_variants']:>9.3f}{row['true_gain']:>+8.3f}"
                  f"{row['rank_item']:>9,}→{row['rank_best_variant']:<7,}{row['seconds']:>6.0f}", flush=True)
    n = len(rows)
    pref_up = sum(r["pref_gain"] > 0 for r in rows)
    true_up = sum(r["true_gain"] > 0 for r in rows)
    true_up_recon = sum(r["true_variants"] > r["true_reconstruction"] for r in rows)
    print(f"\nruns: {n}; variants' mean preference above the item's: {pref_up}/{n} "
          f"(mean Δ {sum(r['pref_gain'] for r in rows) / n:+.3f}); ground-truth utility above the item's: "
          f"{true_up}/{n} (mean Δ {sum(r['true_gain'] for r in rows) / n:+.3f}); above the reconstruction's: "
          f"{true_up_recon}/{n}")
    for r in rows:
        if r["true_gain"] <= 0:
            print(f"  true utility did not rise: {r['item']} for {r['segment']} ({r['true_gain']:+.3f})")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=2)


if __name__ == "__main__":
    main()
