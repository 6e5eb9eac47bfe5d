#!/usr/bin/env bash
# Is the gain real? `gigs run` optimises against one recommender and asks a second one (--judge),
# which it never optimised against, for the same users; --catalogue puts both gains in units of
# each scorer's spread over a catalogue, so they compare. Toy backends and a made-up catalogue;
# use e.g. -r dvbpr … --judge vbpr-timm -J checkpoint=… --catalogue csv:my-shop for real ones.
set -euo pipefail
out="${1:-gigs-judge-example}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python - "$work" <<'PY'
import sys
from pathlib import Path

import numpy as np
from PIL import Image

folder = Path(sys.argv[1])
rng = np.random.default_rng(0)
rows = ["item_id,image"]
for index in range(30):
    Image.fromarray((rng.random((32, 32, 3)) * 255).astype("uint8")).save(folder / f"{index}.png")
    rows.append(f"sku-{index},{index}.png")
(folder / "items.csv").write_text("\n".join(rows) + "\n")
(folder / "interactions.csv").write_text("user_id,item_id\nu0,sku-0\n")
PY
gigs run -g toy -r toy -R num_users=20 --judge toy -J num_users=20 -J seed=1 --catalogue "csv:$work" \
    --item "$work/3.png" --users all --steps 20 --n 4 --perceptual none --out "$out" --overwrite -q
