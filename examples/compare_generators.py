"""Compare generators: the same recommender, users, items and seeds, one GIGS run per
generator, and a table of how well each reproduced the items and how much each raised
the group's preference.

    python examples/compare_generators.py

Each entry is (backend name, options); add your own, e.g.
("progan", {"checkpoint": "g.pth"}). Generators may differ in size and channels, so
the reconstruction is compared with the item photo at the photo's own size and
channels (PSNR in dB; higher is closer), not by each run's inversion loss, which is
measured at each generator's size. Here: the built-in toy generator at two widths
(about a minute on a 2-core CPU).
"""

import torch

from gigs_core import GigsConfig, create_generator, create_recommender, run_gigs
from gigs_core.imaging import conform
from gigs_core.metrics.image import psnr

CANDIDATES = [
    ("toy", {"width": 16, "latent_dim": 32}),
    ("toy", {"width": 32, "latent_dim": 128}),
]
recommender = create_recommender("toy", num_users=50)
items = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
config = GigsConfig().merged(
    {"inversion": {"steps": 60, "perceptual": "none"}, "shift": {"steps": 60, "n": 4}}
)

print(f"{'generator':<34}{'recon PSNR':>11}{'base pref':>11}{'mean gain':>11}{'seconds':>9}")
for name, options in CANDIDATES:
    run = run_gigs(create_generator(name, **options), recommender, items, users="all", config=config, seeds=0)
    reconstructions = torch.stack([item.reconstruction for item in run.items])
    fidelity = psnr(items, conform(reconstructions, items.shape[-1], items.shape[1])).mean()
    base = sum(item.reconstruction_preference for item in run.items) / len(run.items)
    gain = sum(item.mean_gain for item in run.items) / len(run.items)
    label = f"{name} {options}"
    print(f"{label:<34}{fidelity:>8.2f} dB{base:>11.4f}{gain:>+11.4f}{run.timings['total_s']:>9.1f}")
