"""Inversion settings against the authors-style loop's inversion, on the demo bundle's models.

    python benchmarks/bench_inversion_settings.py [--items 10] [--threads 1]

For the first ``--items`` catalogue photos, inverts with the authors-style loop (benchmarks/authors_loop.py:
1,000 steps at lr 0.01, the domain distance and MSE on images upsampled to 128 px) and with gigs at the
paper's settings, a few faster ones and ``--preset fast``'s, all in one process. Prints, per setting, the
mean MSE and the mean domain-classifier distance between photo and reconstruction at the generator's
size (the two halves of the inversion loss) and the seconds the batch took (the loop runs one item at a
time, gigs the whole batch).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

SETTINGS = {
    "paper: 1000 steps, lr 0.01": {"steps": 1000, "lr": 0.01},
    "150 steps, lr 0.1, best of 16": {"steps": 150, "lr": 0.1, "starts": 16},
    "500 steps, lr 0.1, best of 64": {"steps": 500, "lr": 0.1, "starts": 64},
    "1000 steps, lr 0.1, best of 64": {"steps": 1000, "lr": 0.1, "starts": 64},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import authors_loop
    import torch
    from bench_gigs import build

    from gigs_core.config import FAST_PRESET, InversionConfig
    from gigs_core.method.inversion import LatentOptimizationInverter

    torch.set_num_threads(args.threads)
    generator, _, distance, items, _ = build("demo", args.items)
    seeds = list(range(args.items))

    def gigs_latents(settings):
        inverter = LatentOptimizationInverter(InversionConfig(**settings), distance=distance)  # the loop's module
        return inverter.invert(generator, items, seeds=seeds).latents

    def loop_latents(_):
        return torch.cat([authors_loop.invert(generator, distance, items[index:index + 1], steps=1000, seed=index)[0]
                          for index in seeds])

    runs = {"authors-style loop: 1000 steps, lr 0.01, 128 px": (loop_latents, None)}
    runs.update({name: (gigs_latents, settings) for name, settings in SETTINGS.items()})
    runs["fast: " + ", ".join(f"{key} {value}" for key, value in FAST_PRESET["inversion"].items())] = (
        gigs_latents, FAST_PRESET["inversion"])
    print(f"demo bundle, {args.items} catalogue photos, {args.threads} thread(s)")
    print(f"{'setting':<58}{'MSE':>8}{'distance':>10}{'seconds':>9}")
    for name, (invert, settings) in runs.items():
        started = time.perf_counter()
        latents = invert(settings)
        seconds = time.perf_counter() - started
        with torch.no_grad():
            reconstructions = generator(latents)
            mse = (reconstructions - items).pow(2).mean()
            print(f"{name:<58}{float(mse):>8.4f}{float(distance(items, reconstructions).mean()):>10.4f}{seconds:>9.1f}")


if __name__ == "__main__":
    main()
