"""Running one cell: a GIGS run and the per-unit values its table row is made of.

Values are kept per unit (per variant, per item) so that a table's mean ± std is recomputed
from the stored cells alone; the variant images are kept too, for IS and FID over a whole row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from gigs_core.evaluation.backends import EvalBackends
from gigs_core.evaluation.protocols import Cell
from gigs_core.imaging import resize
from gigs_core.method.conditioning import generator_for_category
from gigs_core.method.pipeline import run_gigs
from gigs_core.metrics.diversity import opposite_ssim

PREFERENCE_SCORE = "preference score"
PREFERENCE_SHIFT = "preference shift"
OPPOSITE_SSIM = "opposite SSIM"
DISTANCE_TO_ITEM = "distance to item"
ITEM_PREFERENCE = "item preference"
#: Smaller variants are upsampled to this size for SSIM (its window is 11 px), as ``gigs compare`` does.
SSIM_SIZE = 32


def gain_column(judge: str) -> str:
    return f"gain ({judge})"


@dataclass
class CellResult:
    """A finished cell: ``values`` name → per-unit numbers, and the ``M×V×C×H×W`` variants."""

    cell: Cell
    values: dict[str, list[float]]
    variants: torch.Tensor
    seconds: float

    def record(self) -> dict[str, Any]:
        cell = self.cell
        return {"key": cell.key, "table": cell.table, "row": cell.row, "users": list(cell.users),
                "item": cell.item, "method": cell.method, "values": self.values, "seconds": self.seconds}


def _values(run, backends: EvalBackends, item_level: bool) -> dict[str, list[float]]:
    items = run.items
    variants = torch.stack([item.variants for item in items])
    at_ssim_size = torch.stack([resize(item.variants, max(SSIM_SIZE, item.variants.shape[-1])) for item in items])
    values = {
        PREFERENCE_SCORE: [score for item in items for score in item.variant_preferences],
        PREFERENCE_SHIFT: [score - item.baseline_preference for item in items for score in item.variant_preferences],
        OPPOSITE_SSIM: [opposite_ssim(at_ssim_size[index:index + 1]).mean for index in range(len(items))],
        **{gain_column(name): [item.judged[name].mean_gain for item in items] for name in backends.judges},
    }
    if item_level:
        values[ITEM_PREFERENCE] = [item.item_preference for item in items]
        if backends.distance is not None:
            photos = torch.stack([item.item for item in items])
            values[DISTANCE_TO_ITEM] = [float(distance) for distance in _distances(backends.distance, photos, variants)]
    return values


@torch.no_grad()
def _distances(distance, photos: torch.Tensor, variants: torch.Tensor) -> torch.Tensor:
    """Each variant's distance to its item photo (what :func:`perceptual_distance_to_item` averages)."""
    repeated = photos[:, None].expand_as(variants).flatten(0, 1)
    return distance(variants.flatten(0, 1), repeated).flatten().cpu()


def run_cell(cell: Cell, backends: EvalBackends, seed: int) -> CellResult:
    """The cell's GIGS run (its own seed, from ``seed`` and its key; an item's category chooses
    what a conditional generator draws) and its values."""
    config = backends.config.merged({"method": cell.method})
    items, generator = None, backends.generator
    if cell.item is not None:
        index = backends.catalogue.ids.index(cell.item)
        items = backends.catalogue.images[index:index + 1]
        generator = generator_for_category(generator, backends.catalogue.categories[index])
    run = run_gigs(generator, backends.recommender, items, users=list(cell.users), config=config,
                   seeds=cell.seed(seed), class_level_count=cell.latents, judges=backends.judges)
    variants = torch.stack([item.variants for item in run.items])
    return CellResult(cell, _values(run, backends, items is not None), variants, run.timings["total_s"])
