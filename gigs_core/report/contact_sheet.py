"""A contact sheet: per item, ``item | reconstruction | variants`` with labels, wrapped into lines."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from PIL import Image, ImageDraw, ImageFont

from gigs_core.imaging import tensor_to_pil

MIN_TILE = 96
LABEL_HEIGHT = 30
GAP = 4
#: Tiles per line before an item's row wraps (item, reconstruction and 10 variants).
MAX_COLUMNS = 12


def _tile(image: torch.Tensor, size: int) -> Image.Image:
    picture = tensor_to_pil(image).convert("RGB")
    return picture.resize((size, size), Image.NEAREST if picture.width < size else Image.BILINEAR)


def wrap_rows(rows: Sequence[Sequence[tuple[torch.Tensor, str]]], columns: int) -> list[list[tuple[torch.Tensor, str]]]:
    """Each item's row cut into lines of at most ``columns`` tiles (an item's lines stay together)."""
    return [list(row[start:start + columns]) for row in rows for start in range(0, max(len(row), 1), columns)]


def render_contact_sheet(rows: Sequence[Sequence[tuple[torch.Tensor, str]]], max_columns: int = MAX_COLUMNS) -> Image.Image:
    """``rows`` of ``(C×H×W image, label)``, one per item; labels may hold two lines. A row
    longer than ``max_columns`` tiles wraps onto further lines, so the sheet stays viewable
    for any number of variants."""
    lines = wrap_rows(rows, max_columns)
    resolution = max(int(image.shape[-1]) for line in lines for image, _ in line)
    tile = max(MIN_TILE, resolution)
    columns = max(len(line) for line in lines)
    sheet = Image.new(
        "RGB",
        (GAP + columns * (tile + GAP), GAP + len(lines) * (tile + LABEL_HEIGHT + GAP)),
        "white",
    )
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default()
    for line_index, line in enumerate(lines):
        top = GAP + line_index * (tile + LABEL_HEIGHT + GAP)
        for column, (image, label) in enumerate(line):
            left = GAP + column * (tile + GAP)
            sheet.paste(_tile(image, tile), (left, top))
            draw.multiline_text((left + 2, top + tile + 2), label, fill="black", font=font, spacing=2)
    return sheet
