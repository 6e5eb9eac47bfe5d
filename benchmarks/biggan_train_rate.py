"""Training speed of small BigGANs, for sizing a run before starting it.

For each width pair (``CHANNEL_WIDTH:D_WIDTH``, as ``gigs train generator --generator biggan
--channel-width/--d-width`` take them) this runs the real training loop
(:func:`gigs_biggan.training.train`) on random images, times ``--steps`` steps (after
``--warmup`` untimed ones) from the run's own ``log.jsonl`` and the final checkpoint (whose
cost is mostly the standing batch-norm statistics), and prints a table: parameter counts,
seconds per step, seconds per checkpoint and hours for ``--total-steps`` steps with a
checkpoint every ``--checkpoint-every``.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/biggan_train_rate.py --widths 8:16,8:32,16:32
"""

from __future__ import annotations

import argparse
import tempfile
import time

import torch

from gigs_biggan.discriminator import ProjectionDiscriminator
from gigs_biggan.loading import fresh_network
from gigs_biggan.training import CHANNELS, BigGanTrainConfig, train
from gigs_core.cli.devices import pick_device
from gigs_core.training.images import TrainingImages
from gigs_core.training.run_files import read_log

CLASSES = 10


def parse_widths(text: str) -> list[tuple[int, int]]:
    try:
        pairs = [tuple(int(part) for part in item.split(":")) for item in text.split(",")]
    except ValueError:
        raise SystemExit(f"--widths: expected CHANNEL_WIDTH:D_WIDTH[,...], got {text!r}") from None
    if any(len(pair) != 2 or pair[0] < 4 or pair[1] < 1 for pair in pairs):
        raise SystemExit(f"--widths: expected CHANNEL_WIDTH ≥ 4 and D_WIDTH ≥ 1 pairs, got {text!r}")
    return pairs


def timings(config: BigGanTrainConfig, device: torch.device, warmup: int) -> tuple[float, float]:
    """(seconds per step, seconds of the final checkpoint) of a short real run."""
    r = config.resolution
    images = TrainingImages(range(4 * config.batch_size), lambda ids: torch.rand(len(ids), CHANNELS, r, r),
                            resolution=r, channels=CHANNELS)
    labels = torch.arange(4 * config.batch_size) % CLASSES
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        train(config, images, labels, folder, device=device)
        total = time.perf_counter() - started
        records = read_log(folder)
    timed = records[warmup - 1:]
    per_step = (timed[-1]["seconds"] - timed[0]["seconds"]) / (timed[-1]["step"] - timed[0]["step"])
    return per_step, total - records[-1]["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=int, default=32)
    parser.add_argument("--z-dim", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--d-steps", type=int, default=1)
    parser.add_argument("--widths", default="8:16,8:32,16:32", help="comma-separated CHANNEL_WIDTH:D_WIDTH pairs")
    parser.add_argument("--steps", type=int, default=10, help="timed steps")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first")
    parser.add_argument("--total-steps", type=int, default=50_000, help="run length the hours are given for")
    parser.add_argument("--checkpoint-every", type=int, default=1000, help="of that run")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    args = parser.parse_args()
    if min(args.steps, args.warmup, args.batch_size, args.z_dim, args.d_steps, args.checkpoint_every) < 1:
        raise SystemExit("--steps, --warmup, --batch-size, --z-dim, --d-steps and --checkpoint-every must be positive")
    device = pick_device(args.device)

    rows = []
    for channel_width, d_width in parse_widths(args.widths):
        config = BigGanTrainConfig(labels=tuple(str(index) for index in range(CLASSES)), resolution=args.resolution,
                                   channel_width=channel_width, z_dim=args.z_dim, d_width=d_width,
                                   batch_size=args.batch_size, d_steps=args.d_steps,
                                   steps=args.warmup + args.steps, log_every=1, checkpoint_every=10 ** 9)
        g_params = sum(p.numel() for p in fresh_network(resolution=args.resolution, channel_width=channel_width,
                                                        z_dim=args.z_dim, num_classes=CLASSES, seed=0).parameters())
        d_params = sum(p.numel() for p in ProjectionDiscriminator(resolution=args.resolution, channels=CHANNELS,
                                                                  width=d_width, num_classes=CLASSES).parameters())
        per_step, per_checkpoint = timings(config, device, args.warmup)
        hours = (args.total_steps * per_step + args.total_steps / args.checkpoint_every * per_checkpoint) / 3600
        rows.append((f"{channel_width}:{d_width}", f"{g_params:,}", f"{d_params:,}", f"{per_step:.3f}",
                     f"{per_checkpoint:.1f}", f"{hours:.1f}"))

    header = ("widths G:D", "G params", "D params", "s / step", "s / checkpoint", f"h / {args.total_steps:,} steps")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print(f"BigGAN training at {args.resolution} px, batch {args.batch_size}, z {args.z_dim}, "
          f"{args.d_steps} D step(s) per G step, {device}, {torch.get_num_threads()} threads")
    for row in [header, *rows]:
        print(" | ".join(str(cell).rjust(width) for cell, width in zip(row, widths)))


if __name__ == "__main__":
    main()
