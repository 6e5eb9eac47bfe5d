"""Line charts of training curves, drawn with PIL (matplotlib is not a dependency)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from PIL import Image, ImageDraw

Points = Sequence[tuple[float, float]]
COLOURS = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189), (255, 127, 14)]
LEFT, RIGHT, TOP, BOTTOM = 70, 16, 22, 24


def _limits(values: list[float]) -> tuple[float, float]:
    """Robust y limits: the most extreme 1% on each side is clipped."""
    values = sorted(values)
    cut = len(values) // 100
    low, high = values[cut], values[-1 - cut]
    if high - low < 1e-12:
        low, high = low - 0.5, high + 0.5
    return low, high


def _panel(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], title: str,
           series: Mapping[str, Points], markers: Sequence[tuple[float, str]]) -> None:
    left, top, right, bottom = box
    draw.rectangle(box, outline="black")
    draw.text((left, top - 14), title, fill="black")
    finite = {name: [(float(x), float(y)) for x, y in points if y is not None and math.isfinite(float(y))]
              for name, points in series.items()}
    every = [point for points in finite.values() for point in points]
    if not every:
        return
    x0, x1 = min(x for x, _ in every), max(x for x, _ in every)
    x1 = x1 if x1 > x0 else x0 + 1.0
    y0, y1 = _limits([y for _, y in every])

    def pixel(x: float, y: float) -> tuple[float, float]:
        y = min(max(y, y0), y1)
        return left + (x - x0) / (x1 - x0) * (right - left), bottom - (y - y0) / (y1 - y0) * (bottom - top)

    for x, label in markers:
        if x0 <= x <= x1:
            px, _ = pixel(x, y0)
            draw.line([(px, top), (px, bottom)], fill=(200, 200, 200))
            draw.text((px + 2, top + 2), label, fill=(120, 120, 120))
    if y0 < 0 < y1:
        _, zero = pixel(x0, 0.0)
        draw.line([(left, zero), (right, zero)], fill=(180, 180, 180))
    for index, (name, points) in enumerate(finite.items()):
        colour = COLOURS[index % len(COLOURS)]
        pixels = [pixel(x, y) for x, y in points]
        if len(pixels) > 1:
            draw.line(pixels, fill=colour, width=2)
        if len(pixels) <= 50:
            for px, py in pixels:
                draw.ellipse([px - 2, py - 2, px + 2, py + 2], fill=colour)
        draw.text((left + 6, top + 4 + 12 * index), name, fill=colour)
    draw.text((4, top), f"{y1:.3g}", fill="black")
    draw.text((4, bottom - 10), f"{y0:.3g}", fill="black")
    draw.text((left, bottom + 4), f"{x0:g}", fill="black")
    draw.text((right - 40, bottom + 4), f"{x1:g}", fill="black")


def line_chart(panels: Sequence[tuple[str, Mapping[str, Points]]], path: str | Path, *, title: str = "",
               markers: Sequence[tuple[float, str]] = (), width: int = 900, panel_height: int = 220) -> Path:
    """Panels stacked vertically, each ``(title, {series name: [(x, y), …]})``;
    ``markers`` are labelled vertical lines (e.g. phase starts). Non-finite
    points are skipped. Written as a PNG; returns its path."""
    image = Image.new("RGB", (width, 20 + max(1, len(panels)) * (panel_height + 30)), "white")
    draw = ImageDraw.Draw(image)
    draw.text((8, 4), title, fill="black")
    for index, (panel_title, series) in enumerate(panels):
        top = 20 + index * (panel_height + 30) + TOP
        _panel(draw, (LEFT, top, width - RIGHT, top + panel_height - BOTTOM), panel_title, series, markers)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path
