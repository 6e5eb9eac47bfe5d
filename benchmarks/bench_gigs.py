"""Time one full GIGS job (inversion + shifting) on small backends: the toolkit vs a
straight per-item, per-step reference loop written from Algorithm 1 the way the
authors' scripts do it. Each variant runs in its own process so peak memory is its own.

    python benchmarks/bench_gigs.py [--items 4] [--steps 50] [--users 100]

Prints a table: seconds per item, items per second, peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def build(args):
    import torch

    from gigs_core.factories import create_generator, create_recommender

    generator = create_generator("toy", latent_dim=128, resolution=32, width=32)
    recommender = create_recommender("toy", num_users=args.users)
    items = torch.rand(args.items, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    return generator, recommender, items


def run_toolkit(args) -> float:
    from gigs_core.config import GigsConfig
    from gigs_core.method.pipeline import run_gigs

    generator, recommender, items = build(args)
    config = GigsConfig().merged(
        {"inversion": {"steps": args.steps, "perceptual": "lpips-untrained"}, "shift": {"steps": args.steps}}
    )
    run = run_gigs(generator, recommender, items, users="all", config=config, seeds=0)
    return sum(item.mean_gain for item in run.items) / len(run.items)


def run_reference(args) -> float:
    """Algorithm 1 as the authors' scripts run it: one item at a time; preference as
    the mean over users of per-user scores; every module kept trainable."""
    import torch
    import torch.nn.functional as F

    from gigs_core.method.perceptual import create_perceptual_distance
    from gigs_core.method.shift_predictor import build_shift_predictor

    generator, recommender, items = build(args)
    lpips = create_perceptual_distance("lpips-untrained")
    users = torch.arange(args.users)
    gains = []
    for index in range(items.shape[0]):
        torch.manual_seed(index)
        target = items[index : index + 1]
        z = torch.randn(1, generator.latent_dim, requires_grad=True)
        optimizer = torch.optim.Adam([z], lr=0.01)
        for _ in range(args.steps):
            image = generator(z)
            loss = lpips(target, image).mean() + F.mse_loss(image, target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                z.data = (z.data - z.data.mean()) / z.data.std()
        n = 8
        k = torch.randn(n, generator.latent_dim, requires_grad=True)
        predictor = build_shift_predictor("timm", {"model": "resnet18"}, n, generator.latent_dim)
        k_optimizer = torch.optim.Adam([k], lr=0.01)
        p_optimizer = torch.optim.Adam(predictor.parameters(), lr=0.01)
        targets = torch.arange(n)
        for _ in range(args.steps):
            with torch.no_grad():
                k.data = k.data.clamp(-0.4, 0.4)
            kz = z.detach() + k
            kz = (kz - kz.mean(dim=1, keepdim=True)) / kz.std(dim=1, keepdim=True)
            images = generator(kz)
            preference = recommender.score(images, users).mean()
            logits, shifts = predictor(images)
            loss = F.cross_entropy(logits, targets) + (shifts - k).abs().mean() - preference
            k_optimizer.zero_grad()
            p_optimizer.zero_grad()
            loss.backward()
            k_optimizer.step()
            p_optimizer.step()
        with torch.no_grad():
            before = recommender.score(target, users).mean()
            gains.append(float(recommender.score(images, users).mean() - before))
    return sum(gains) / len(gains)


def child(args) -> None:
    import torch

    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    gain = (run_toolkit if args.variant == "toolkit" else run_reference)(args)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak_mib, "gain": gain}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=4)
    parser.add_argument("--steps", type=int, default=50, help="steps of each phase")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--variant", choices=["toolkit", "reference"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        child(args)
        return
    rows = {}
    for variant in ("reference", "toolkit"):
        command = [sys.executable, __file__, "--variant", variant, "--items", str(args.items),
                   "--steps", str(args.steps), "--users", str(args.users), "--threads", str(args.threads)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        rows[variant] = json.loads(output.strip().splitlines()[-1])
    print(f"GIGS job: {args.items} items, {args.steps}+{args.steps} steps, n=8, {args.users} users, "
          f"toy generator 32px/128-d, LPIPS(untrained alex), ResNet18 predictor, {args.threads} threads")
    print(f"{'variant':<11}{'s/item':>9}{'items/s':>10}{'peak MiB':>10}{'mean gain':>11}")
    for variant, row in rows.items():
        per_item = row["seconds"] / args.items
        print(f"{variant:<11}{per_item:>9.2f}{1 / per_item:>10.3f}{row['peak_mib']:>10.0f}{row['gain']:>+11.4f}")
    speedup = rows["reference"]["seconds"] / rows["toolkit"]["seconds"]
    print(f"toolkit speed-up over the reference loop: {speedup:.2f}x")


if __name__ == "__main__":
    main()
