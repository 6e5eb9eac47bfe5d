"""What a shifting step costs for one user against every user, measured side by side.

    python benchmarks/bench_users.py [--models issue|demo] [--batch 8] [--rounds 5] [--timed-steps 2]

bench_gigs.py times each (batch, users) cell in its own process, minutes apart, so on a shared
machine its users ratio carries the machine's noise. Here one process alternates the two groups
(one user, then all of the recommender's users) ``--rounds`` times on the same base latents and
prints the median seconds per item-step of each and their ratio. A step's cost is the difference
between shifting runs of 1 and 1 + ``--timed-steps`` steps (the rest is the run's fixed cost).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", choices=["issue", "demo"], default="issue")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--timed-steps", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import torch
    from bench_gigs import build, gigs_config, user_group

    from gigs_core.method.shifting import optimize_shifts

    torch.set_num_threads(args.threads)
    generator, recommender, _, _, num_users = build(args.models, args.batch)
    with torch.no_grad():
        latents = generator.project_latent(generator.sample_latent(args.batch, generator=torch.Generator().manual_seed(0)))
    seeds = list(range(args.batch))
    groups = {"1": user_group("1", num_users), "all": user_group("all", num_users)}

    def seconds(users, steps: int) -> float:
        config = gigs_config("fast", args.models, shift_steps=steps).shift
        return optimize_shifts(generator, recommender, latents, users, config, seeds=seeds).seconds

    seconds(groups["1"], 1)  # warm-up
    per_step = {name: [] for name in groups}
    for _ in range(args.rounds):
        for name, users in groups.items():
            one, more = seconds(users, 1), seconds(users, 1 + args.timed_steps)
            per_step[name].append((more - one) / args.timed_steps / args.batch)

    print(f"models: {args.models}; batch {args.batch}; {args.rounds} rounds of 1 and {args.timed_steps + 1} shifting steps, "
          f"alternating the groups; {args.threads} thread(s)")
    print(f"{'users':>7}{'median s/item-step':>20}{'min':>9}{'max':>9}")
    for name, values in per_step.items():
        count = len(groups[name])
        print(f"{count:>7}{statistics.median(values):>20.3f}{min(values):>9.3f}{max(values):>9.3f}")
    ratio = statistics.median(per_step["all"]) / statistics.median(per_step["1"])
    print(f"shifting step, {num_users} users vs 1 user: {ratio:.3f}x")


if __name__ == "__main__":
    main()
