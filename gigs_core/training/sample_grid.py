"""Sample grids a training run writes, drawn with PIL only."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from PIL import Image

from gigs_core.imaging import tensor_to_pil


def save_grid(images: torch.Tensor, path: str | Path, *, size: int | None = None, padding: int = 1,
              columns: int | None = None) -> Path:
    """Write ``N×C×H×W`` ``[0, 1]`` images as a grid PNG (near-square, or ``columns`` wide),
    each tile upscaled (nearest) to ``size`` pixels when given."""
    images = images.detach().float().cpu().clamp(0, 1)
    n, _, h, w = images.shape
    if size is not None and size != h:
        images = torch.nn.functional.interpolate(images, size=(size, size), mode="nearest")
        h = w = size
    cols = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    mode = "L" if images.shape[1] == 1 else "RGB"
    grid = Image.new(mode, (cols * (w + padding) + padding, rows * (h + padding) + padding), 0)
    for index in range(n):
        row, col = divmod(index, cols)
        grid.paste(tensor_to_pil(images[index]), (padding + col * (w + padding), padding + row * (h + padding)))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    grid.save(path)
    return path
