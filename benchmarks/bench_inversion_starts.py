"""Does a better start pay? Inversion PSNR after T steps from the best of K prior samples.

On the demo bundle's ProGAN (32 px), for the bundled catalogue photos and for the
generator's own samples (whose true latent reconstructs them exactly), inverts
with ``starts`` = 1 (the paper), 8 and 32 and prints mean and worst PSNR and the
time, side by side in one process:

    python benchmarks/bench_inversion_starts.py [--steps 300] [--items 20] [--starts 1 8 32]
"""

from __future__ import annotations

import argparse
import time

import torch

from gigs_core.factories import create_inverter
from gigs_core.imaging import conform, load_image
from gigs_core.metrics.image import psnr
from gigs_demo.bundle import DemoBundle
from gigs_demo.runner import choose_perceptual, demo_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--starts", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    bundle = DemoBundle(None)
    generator = bundle.generator().eval()
    perceptual, _ = choose_perceptual(bundle)
    photos = torch.cat([conform(load_image(item.path), generator.resolution, generator.channels)
                        for item in bundle.items[: args.items]])
    with torch.no_grad():
        samples = generator(generator.sample_latent(args.items, generator=torch.Generator().manual_seed(123)))
    print(f"ProGAN {generator.resolution} px, {args.steps} inversion steps, perceptual {perceptual.split(':')[0]}, "
          f"{args.items} items, {args.threads} thread(s)")
    print(f"{'targets':<18}{'starts':>7}{'mean PSNR':>11}{'worst PSNR':>12}{'seconds':>9}")
    for name, targets in (("catalogue photos", photos), ("generator samples", samples)):
        for starts in args.starts:
            settings = demo_config(bundle.demo_settings, {"inversion": {"steps": args.steps, "starts": starts}},
                                   perceptual).inversion
            inverter = create_inverter("latent-optimization", **settings.model_dump())
            began = time.perf_counter()
            result = inverter.invert(generator, targets, seeds=list(range(len(targets))))
            seconds = time.perf_counter() - began
            values = psnr(targets, result.reconstructions)
            print(f"{name:<18}{starts:>7}{float(values.mean()):>9.2f} dB{float(values.min()):>9.2f} dB{seconds:>9.1f}")


if __name__ == "__main__":
    main()
