"""Training speed of ProGAN width schedules, for sizing a run before starting it.

For each width schedule (``FEATURE_BASE:MAX_FEATURES``, as ``gigs train
generator --feature-base/--max-features`` take them) this runs the real
training loop (:func:`gigs_progan.training.train`) on random images, one step
per growing phase, then times ``--steps`` steps at the full resolution (after
``--warmup`` untimed ones) from the run's own ``log.jsonl``, and prints a table:
feature maps per level, parameter counts, steps/s, images/s and hours per
10,000 full-resolution steps.

Usage::

    OMP_NUM_THREADS=2 python benchmarks/progan_train_rate.py --resolution 32 --latent-dim 128 \\
        --schedules 256:64,512:64,512:128,1024:128
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import torch

from gigs_core.cli.devices import pick_device
from gigs_core.training.images import TrainingImages
from gigs_progan.discriminator import ProGanDiscriminator
from gigs_progan.generator import ProGanGenerator
from gigs_progan.training import TrainConfig, train


def parse_schedules(text: str) -> list[tuple[int, int]]:
    try:
        pairs = [tuple(int(part) for part in item.split(":")) for item in text.split(",")]
    except ValueError:
        raise SystemExit(f"--schedules: expected FEATURE_BASE:MAX_FEATURES[,...], got {text!r}") from None
    if any(len(pair) != 2 or min(pair) < 1 for pair in pairs):
        raise SystemExit(f"--schedules: expected positive FEATURE_BASE:MAX_FEATURES pairs, got {text!r}")
    return pairs


def full_size_rate(config: TrainConfig, device: torch.device, warmup: int) -> float:
    """Steps per second in the last (full-resolution) phase of a short real run."""
    c, r = config.channels, config.resolution
    reals = TrainingImages(range(4 * config.batch_size), lambda ids: torch.rand(len(ids), c, r, r),
                       resolution=r, channels=c)
    with tempfile.TemporaryDirectory() as folder:
        train(config, reals, folder, device=device)
        records = [json.loads(line) for line in (Path(folder) / "log.jsonl").read_text().splitlines()]
    timed = [rec for rec in records if rec["phase"] == records[-1]["phase"]][warmup:]
    steps = timed[-1]["step"] - timed[0]["step"]
    return steps / (timed[-1]["seconds"] - timed[0]["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=int, default=32)
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--latent-dim", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--schedules", default="256:64,512:64,512:128,1024:128",
                        help="comma-separated FEATURE_BASE:MAX_FEATURES pairs")
    parser.add_argument("--steps", type=int, default=30, help="timed steps at full resolution")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps at full resolution first")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    args = parser.parse_args()
    if min(args.steps, args.batch_size, args.latent_dim) < 1 or args.warmup < 1:
        raise SystemExit("--steps, --warmup, --batch-size and --latent-dim must be positive")
    device = pick_device(args.device)

    rows = []
    for feature_base, max_features in parse_schedules(args.schedules):
        config = TrainConfig(
            resolution=args.resolution, channels=args.channels, latent_dim=args.latent_dim,
            feature_base=feature_base, max_features=max_features, batch_size=args.batch_size,
            images_per_phase=args.batch_size, final_images=args.batch_size * (args.warmup + args.steps + 1),
            log_every=1, checkpoint_every=10 ** 9, grid_samples=4)
        arch = config.architecture()
        g_params = sum(p.numel() for p in ProGanGenerator(arch).parameters())
        d_params = sum(p.numel() for p in ProGanDiscriminator(arch.features, arch.channels).parameters())
        rate = full_size_rate(config, device, args.warmup)
        rows.append(("/".join(map(str, arch.features)), f"{feature_base}:{max_features}", f"{g_params:,}",
                     f"{d_params:,}", f"{rate:.2f}", f"{rate * args.batch_size:.0f}", f"{10_000 / rate / 3600:.2f}"))

    header = ("feature maps", "base:max", "G params", "D params", "steps/s", "images/s", "h / 10k steps")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print(f"ProGAN training at {args.resolution} px, batch {args.batch_size}, latent {args.latent_dim}, "
          f"{device}, {torch.get_num_threads()} threads")
    for row in [header, *rows]:
        print(" | ".join(str(cell).rjust(width) for cell, width in zip(row, widths)))


if __name__ == "__main__":
    main()
