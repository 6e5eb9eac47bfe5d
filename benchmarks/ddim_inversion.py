"""DDIM inversion vs optimisation inversion on the demo catalogue's photos (issue 15).

For the ``ddim`` generator trained by ``gigs train generator --generator ddim`` (a
pipeline folder) and the bundled Fashion-MNIST items, prints per method the mean and
worst reconstruction MSE, the mean perceptual distance (the demo's distance: its
domain-classifier features unless LPIPS weights are cached) and seconds per item, side
by side in one process:

    python benchmarks/ddim_inversion.py --ddim RUN/generator [--items 20] [--steps 10 50]
        [--optimisation-steps 300] [--threads 1]

Rows: DDIM inversion with each ``--steps`` (the generator sampling with as many steps),
optimisation inversion (Algorithm 1's, the demo's settings) of the same ddim generator,
and, for reference, optimisation inversion of the bundled ProGAN.
"""

from __future__ import annotations

import argparse
import time

import torch

from gigs_core.factories import create_generator, create_inverter
from gigs_core.imaging import conform, load_image
from gigs_core.method.perceptual import create_perceptual_distance
from gigs_demo.bundle import DemoBundle
from gigs_demo.runner import choose_perceptual, demo_config


def spread_items(bundle: DemoBundle, count: int):
    """``count`` bundled items, spread over the categories (the bundle holds 4 per category, in order)."""
    per_category = 4
    order = [index for offset in range(per_category) for index in range(offset, len(bundle.items), per_category)]
    return [bundle.items[index] for index in order[:count]]


def measure(label: str, inverter, generator, photos: torch.Tensor, distance) -> None:
    targets = conform(photos, generator.resolution, generator.channels)
    began = time.perf_counter()
    result = inverter.invert(generator, targets, seeds=list(range(len(targets))))
    seconds = (time.perf_counter() - began) / len(targets)
    with torch.no_grad():
        reconstructions = conform(result.reconstructions, photos.shape[-1], photos.shape[1])
        mse = (reconstructions - photos).pow(2).flatten(1).mean(1)
        perceptual = distance(photos, reconstructions)
    print(f"{label:<44}{float(mse.mean()):>10.4f}{float(mse.max()):>10.4f}{float(perceptual.mean()):>12.4f}"
          f"{seconds:>10.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ddim", required=True, help="pipeline folder written by gigs train generator --generator ddim")
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--steps", type=int, nargs="+", default=[10, 50], help="DDIM steps to compare")
    parser.add_argument("--optimisation-steps", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    bundle = DemoBundle(None)
    perceptual, _ = choose_perceptual(bundle)
    distance = create_perceptual_distance(perceptual).eval()
    items = spread_items(bundle, args.items)
    photos = torch.cat([conform(load_image(item.path), 32, 1) for item in items])
    settings = demo_config(bundle.demo_settings, {"inversion": {"steps": args.optimisation_steps}}, perceptual)
    optimiser = create_inverter("latent-optimization", **settings.inversion.model_dump())
    print(f"{len(items)} demo items ({len({item.category for item in items})} categories), 32 px grey, "
          f"{args.threads} thread(s); distance: {perceptual.split(':')[0]}")
    print(f"{'method':<44}{'MSE mean':>10}{'MSE max':>10}{'perceptual':>12}{'s/item':>10}")
    for steps in args.steps:
        generator = create_generator("ddim", checkpoint=args.ddim, num_inference_steps=steps).eval()
        measure(f"ddim-inversion, {steps} DDIM steps", create_inverter("ddim-inversion"), generator, photos, distance)
    generator = create_generator("ddim", checkpoint=args.ddim, num_inference_steps=min(args.steps)).eval()
    measure(f"optimisation ({args.optimisation_steps} steps), ddim {min(args.steps)} steps", optimiser, generator,
            photos, distance)
    measure(f"optimisation ({args.optimisation_steps} steps), demo ProGAN", optimiser, bundle.generator().eval(),
            photos, distance)


if __name__ == "__main__":
    main()
