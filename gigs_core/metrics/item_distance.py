"""Perceptual distance to the item: how far the variants moved from the photo they came from.

Any perceptual distance module fits (a module mapping two ``N×C×H×W`` batches to ``N``
distances): a registered one by name (``lpips-vgg``, ``domain:PATH``, … through
:func:`gigs_core.method.perceptual.create_perceptual_distance`) or a module of your own. The
value is the mean ± std over every variant of its distance to its item. Neither direction is
better: small keeps the item recognisable, large is a bigger change, so ``higher_is_better``
is ``None``.
"""

from __future__ import annotations

import torch
from torch import nn

from gigs_core.metrics.base import PerUnitMetric, Summary, check_variants


def _distance_module(distance: nn.Module | str) -> nn.Module:
    if isinstance(distance, str):
        from gigs_core.method.perceptual import create_perceptual_distance

        return create_perceptual_distance(distance)
    return distance


@torch.no_grad()
def _variant_distances(distance: nn.Module, items: torch.Tensor, variants: torch.Tensor) -> torch.Tensor:
    repeated = items[:, None].expand_as(variants).flatten(0, 1)
    return distance(variants.flatten(0, 1), repeated)


def perceptual_distance_to_item(distance: nn.Module | str, items: torch.Tensor, variants: torch.Tensor) -> Summary:
    """Mean ± std over every variant of ``distance(variant, its item)``; ``items`` ``M×C×H×W``,
    ``variants`` ``M×V×C×H×W``; ``distance`` a module or a registered distance's name."""
    check_variants(items, variants)
    return Summary.of(_variant_distances(_distance_module(distance), items, variants))


class PerceptualDistanceToItem(PerUnitMetric):
    """Stateful :func:`perceptual_distance_to_item`. ``label`` names the distance, e.g.
    ``perceptual distance to the item (lpips-vgg)``; pass ``distance_name`` for a module."""

    higher_is_better = None
    name = "perceptual distance to the item"

    def __init__(self, distance: nn.Module | str, distance_name: str | None = None) -> None:
        super().__init__()
        self.distance = _distance_module(distance)
        self.distance_name = distance if isinstance(distance, str) else distance_name or type(distance).__name__

    @property
    def label(self) -> str:
        return f"{self.name} ({self.distance_name})"

    def update(self, items: torch.Tensor, variants: torch.Tensor) -> None:
        check_variants(items, variants)
        self._add(_variant_distances(self.distance, items, variants))
