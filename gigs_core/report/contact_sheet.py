"""A contact sheet: per item, one row ``item | reconstruction | variants`` with labels."""

from __future__ import annotations

from typing import Sequence

import torch
from PIL import Image, ImageDraw, ImageFont

from gigs_core.imaging import tensor_to_pil

MIN_TILE = 96
LABEL_HEIGHT = 30
GAP = 4


def _tile(image: torch.Tensor, size: int) -> Image.Image:
    picture = tensor_to_pil(image).convert("RGB")
    return picture.resize((size, size), Image.NEAREST if picture.width < size else Image.BILINEAR)


def render_contact_sheet(rows: Sequence[Sequence[tuple[torch.Tensor, str]]]) -> Image.Image:
    """``rows`` of ``(C×H×W image, label)``; labels may hold two lines."""
    resolution = max(int(image.shape[-1]) for row in rows for image, _ in row)
    tile = max(MIN_TILE, resolution)
    columns = max(len(row) for row in rows)
    sheet = Image.new(
        "RGB",
        (GAP + columns * (tile + GAP), GAP + len(rows) * (tile + LABEL_HEIGHT + GAP)),
        "white",
    )
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default()
    for row_index, row in enumerate(rows):
        top = GAP + row_index * (tile + LABEL_HEIGHT + GAP)
        for column, (image, label) in enumerate(row):
            left = GAP + column * (tile + GAP)
            sheet.paste(_tile(image, tile), (left, top))
            draw.multiline_text((left + 2, top + tile + 2), label, fill="black", font=font, spacing=2)
    return sheet
