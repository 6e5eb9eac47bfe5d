"""Compare generators: the same recommender, users, items and seeds, one GIGS run per
generator, and a table of how much each raised the group's preference.

    python examples/compare_generators.py

Each entry is (backend name, options); add your own, e.g.
("progan", {"checkpoint": "g.pth"}). Here: the built-in toy generator at two
sizes, so it runs anywhere in about a minute.
"""

import torch

from gigs_core import GigsConfig, create_generator, create_recommender, run_gigs

CANDIDATES = [
    ("toy", {"width": 16, "latent_dim": 32}),
    ("toy", {"width": 32, "latent_dim": 128}),
]
recommender = create_recommender("toy", num_users=50)
items = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
config = GigsConfig().merged(
    {"inversion": {"steps": 60, "perceptual": "none"}, "shift": {"steps": 60, "n": 4}}
)

print(f"{'generator':<34}{'recon loss':>11}{'base pref':>11}{'mean gain':>11}{'seconds':>9}")
for name, options in CANDIDATES:
    run = run_gigs(create_generator(name, **options), recommender, items, users="all", config=config, seeds=0)
    loss = sum(item.inversion_loss for item in run.items) / len(run.items)
    base = sum(item.reconstruction_preference for item in run.items) / len(run.items)
    gain = sum(item.mean_gain for item in run.items) / len(run.items)
    label = f"{name} {options}"
    print(f"{label:<34}{loss:>11.4f}{base:>11.4f}{gain:>+11.4f}{run.timings['total_s']:>9.1f}")
