"""Use gigs from Python: build backends by name, run GIGS on an item, read and save the result.

Runs in well under a minute on a CPU with the built-in random-weight `toy`
backends; swap in real ones (e.g. "progan"/"dvbpr" with checkpoint=...) for
meaningful images.

    python examples/python_api.py [output-folder]
"""

import sys

import torch

from gigs_core import GigsConfig, create_generator, create_recommender, run_gigs

generator = create_generator("toy", resolution=32)
recommender = create_recommender("toy", num_users=50)

# Any [0, 1] image tensor N×C×H×W works; gigs resizes it to the generator.
# (From a file: gigs_core.imaging.load_image("shoe.jpg").)
item = torch.rand(1, 3, 48, 48, generator=torch.Generator().manual_seed(0))

config = GigsConfig().merged(
    {
        "inversion": {"steps": 100, "perceptual": "lpips-untrained"},  # LPIPS without downloaded weights
        "shift": {"steps": 100, "n": 4},
    }
)
run = run_gigs(generator, recommender, item, users="random:10", config=config, seeds=0)

result = run.items[0]
print(f"group of {len(run.users)} users; item preference {result.item_preference:.4f}")
for index, score in enumerate(result.variant_preferences):
    print(f"  variant {index}: {score:.4f} ({score - result.baseline_preference:+.4f})")

if len(sys.argv) > 1:
    print("saved to", run.save(sys.argv[1], overwrite=True))
