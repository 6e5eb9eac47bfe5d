#!/usr/bin/env bash
# A catalogue × segments batch on the toy backends: run, interrupt-safe re-run, look at the index.
set -euo pipefail
out="${1:-gigs-batch-example}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python - "$work" <<'PY'
import sys
from pathlib import Path

import numpy as np
from PIL import Image

folder = Path(sys.argv[1])
rng = np.random.default_rng(0)
rows = ["path,id,category"]
for index in range(4):
    Image.fromarray((rng.random((32, 32, 3)) * 255).astype("uint8")).save(folder / f"photo{index}.png")
    rows.append(f"photo{index}.png,sku-{index},{'shoes' if index % 2 else 'bags'}")
(folder / "items.csv").write_text("\n".join(rows) + "\n")
(folder / "segments.csv").write_text("segment,user_id\nvip,1\nvip,7\nvip,12\nnew,3\nnew,4\n")
PY
args=(-g toy -r toy -R num_users=20 --steps 5 --n 3 --perceptual none
      --items "$work/items.csv" --segments "$work/segments.csv" --out "$out" -q)
gigs batch "${args[@]}"
gigs batch "${args[@]}"     # again: every job is already done, nothing is recomputed
echo "index: $out/index.html"
