"""Quality against steps: inversion error and preference gain at every step, for the paper's
constant rates and for faster settings (higher rates, cosine schedules, best-of-K starts), on the
demo bundle's trained models. What `--preset fast` uses must reach the paper's quality here.

    python benchmarks/step_curves.py [--items 2] [--paper-steps 1000] [--out benchmarks/step_curves.png]

Prints a table (final inversion loss, final mean preference gain, mean steps taken, and the first step
at which each setting reached the paper's final value) and draws both curves into one PNG.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from gigs_core.config import FAST_PRESET  # noqa: E402  (after the offline switch)

INVERSION_SETTINGS = {
    "paper (lr 0.01, constant)": {},
    "lr 0.05, constant": {"lr": 0.05},
    "lr 0.05, cosine": {"lr": 0.05, "lr_schedule": "cosine"},
    "lr 0.05, stop (patience 30, tol 0.005)": {"lr": 0.05, "stop_patience": 30, "stop_tolerance": 0.005},
    "fast: lr 0.1 cosine, best of 64 starts": FAST_PRESET["inversion"],
}
SHIFT_SETTINGS = {
    "paper (lr 0.01, constant)": {},
    "fast: lr 0.02, constant": FAST_PRESET["shift"],
    "lr 0.05, constant": {"lr_shift": 0.05},
    "lr 0.05, cosine": {"lr_shift": 0.05, "lr_schedule": "cosine"},
    "lr 0.02, stop (patience 30, tol 0.01)": {"lr_shift": 0.02, "stop_patience": 30, "stop_tolerance": 0.01},
}


def first_reaching(curve, target, better) -> str:
    for step, value in enumerate(curve):
        if better(value, target):
            return str(step + 1)
    return "never"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2)
    parser.add_argument("--paper-steps", type=int, default=1000, help="steps of the paper's settings, each phase")
    parser.add_argument("--fast-steps", type=int, default=300, help="steps of the other faster settings, each phase (fast: its preset's)")
    parser.add_argument("--segment", default="minimalist")
    parser.add_argument("--out", default="benchmarks/step_curves.png")
    args = parser.parse_args()

    import torch

    from gigs_core.config import InversionConfig, ShiftConfig
    from gigs_core.imaging import conform, load_image
    from gigs_core.method.inversion import LatentOptimizationInverter
    from gigs_core.method.shifting import optimize_shifts
    from gigs_core.report.charts import line_chart
    from gigs_demo.bundle import DemoBundle

    bundle = DemoBundle()
    generator, recommender = bundle.generator(), bundle.recommender()
    users = bundle.group_users(bundle.ground_truth(), args.segment)
    items = torch.cat([conform(load_image(bundle.item(index).path), generator.resolution, generator.channels)
                       for index in range(args.items)])
    seeds = list(range(args.items))
    perceptual = f"domain:{bundle.path('classifier')}"
    with torch.no_grad():
        item_preference = recommender.group_score(items, users)

    rows, base = [], None
    for name, settings in INVERSION_SETTINGS.items():
        settings = {"steps": args.paper_steps if name.startswith("paper") else args.fast_steps, **settings}
        config = InversionConfig(perceptual=perceptual, **settings)
        started = time.perf_counter()
        result = LatentOptimizationInverter(config).invert(generator, items, seeds=seeds)
        curve = result.loss_history.mean(dim=1).tolist()
        taken = sum(result.steps_taken) / len(result.steps_taken)
        rows.append(("inversion", name, taken, float(result.losses.mean()), curve, time.perf_counter() - started))
        base = result.latents if base is None else base
    for name, settings in SHIFT_SETTINGS.items():
        settings = {"steps": args.paper_steps if name.startswith("paper") else args.fast_steps, **settings}
        config = ShiftConfig(**settings)
        started = time.perf_counter()
        result = optimize_shifts(generator, recommender, base, users, config, seeds=seeds)
        curve = (result.preference_history - item_preference).mean(dim=1).tolist()
        final = float((result.preferences.mean(dim=1) - item_preference).mean())
        taken = sum(result.steps_taken) / len(result.steps_taken)
        rows.append(("shifting", name, taken, final, curve, time.perf_counter() - started))

    panels = [(title, {name: list(enumerate(curve, start=1)) for kind, name, _, _, curve, _ in rows if kind == phase})
              for phase, title in (("inversion", "inversion loss (domain features + MSE), mean of items, by step"),
                                   ("shifting", f"mean preference gain over the item ({args.segment}), by step"))]
    line_chart(panels, args.out, title=f"Demo bundle, {args.items} items: quality against steps")

    paper = {phase: final for phase, name, _, final, _, _ in rows if name.startswith("paper")}
    print(f"demo bundle, {args.items} items, segment {args.segment}, {torch.get_num_threads()} threads")
    print(f"{'phase':<10}{'setting':<40}{'steps':>6}{'final':>9}{'reaches paper final at':>24}{'s':>8}")
    for phase, name, steps, final, curve, seconds in rows:
        better = (lambda v, t: v <= t) if phase == "inversion" else (lambda v, t: v >= t)
        print(f"{phase:<10}{name:<40}{steps:>6.0f}{final:>9.4f}{first_reaching(curve, paper[phase], better):>24}"
              f"{seconds:>8.1f}")
    print(f"plot: {args.out}")


if __name__ == "__main__":
    main()
