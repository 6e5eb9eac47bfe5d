#!/usr/bin/env bash
# The paper's experiments (Tables 2–5) with `gigs eval --quick` on the toy backends and a small
# made-up catalogue: class-level against the DVBPR baselines, preferred vs un-preferred items,
# per category, and group sizes. Drop --quick (and use real backends) for the real counts.
set -euo pipefail
out="${1:-gigs-eval-example}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python - "$work" <<'PY'
import sys
from pathlib import Path

import numpy as np
from PIL import Image

folder = Path(sys.argv[1])
rng = np.random.default_rng(0)
rows = ["item_id,image,category"]
for index in range(12):
    Image.fromarray((rng.random((32, 32, 3)) * 255).astype("uint8")).save(folder / f"{index}.png")
    rows.append(f"sku-{index},{index}.png,{'shoes' if index % 2 else 'bags'}")
(folder / "items.csv").write_text("\n".join(rows) + "\n")
(folder / "interactions.csv").write_text("user_id,item_id\n" + "".join(f"u{u},sku-{u % 12}\n" for u in range(20)))
PY
gigs eval --quick --catalogue "csv:$work" -g toy -r toy -R num_users=20 --perceptual none --distance none --out "$out"
echo "tables: $out/tables.md, summary: $out/summary.html"
