"""Compare generators: the same recommender, users, items, judge and seeds, one GIGS run per
generator, and one table of how each did (gigs_core.comparison.compare_generators, the
library side of `gigs compare`).

    python examples/compare_generators.py [OUT_FOLDER]

Each contender is a generator (and optionally its own inverter, e.g. ddim-inversion for
`ddim`); add your own, e.g. Contender("progan", create_generator("progan", checkpoint="g.pth")).
A contender may also name the method that makes its variants, e.g. Contender("toy-pm", generator,
method="dvbpr-pm") for the paper's baseline; the baselines take no item, so compare them with
photos=None (class-level, around class_level_count prior samples).
Fidelity, distance and diversity are measured at the item photo's own size, so generators of
different sizes compare. A judge, a second recommender the runs did not optimise against,
says whether the gain is more than an artefact of optimising against one model. Here: the
built-in toy generator at two widths, judged by a second toy recommender (about a minute
on a 2-core CPU).
"""

import sys

import torch

from gigs_core import GigsConfig, create_generator, create_recommender
from gigs_core.comparison import Contender, compare_generators

contenders = [
    Contender("toy-narrow", create_generator("toy", width=16, latent_dim=32)),
    Contender("toy-wide", create_generator("toy", width=32, latent_dim=128)),
]
recommender = create_recommender("toy", num_users=50)
judge = create_recommender("toy", num_users=50, seed=1)
photos = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
config = GigsConfig().merged({"inversion": {"steps": 60, "perceptual": "none"}, "shift": {"steps": 60, "n": 4}})

comparison = compare_generators(contenders, recommender, photos, users="all", config=config, seeds=0,
                                judges={"second-toy": judge}, distance="lpips-untrained")
print(comparison.table())
if len(sys.argv) > 1:
    print(f"wrote {comparison.save(sys.argv[1])}")
