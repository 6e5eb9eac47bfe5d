"""The network IS and FID look through, with the name reports must give it.

IS and FID are only comparable between runs that used the same network. The standard ones use
Inception-v3 (:mod:`gigs_core.metrics.inception`); a catalogue far from ImageNet may be better
judged by a classifier trained on it. Naming rule: a network with a ``qualifier`` turns the
metric's name into ``"<qualifier> IS"`` / ``"<qualifier> FID"`` (the domain classifier's
qualifier is ``domain``: "domain IS", "domain FID"); Inception has none, and only Inception's
values are called plain "IS" and "FID".
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

Outputs = Literal["features", "logits"]


class FeatureNetwork(nn.Module):
    """``[0, 1]`` ``N×C×H×W`` images → ``N×D`` pool features (for FID) or class logits (for IS
    and FID), frozen and in evaluation mode. ``name`` says which network (recorded in results)."""

    def __init__(self, module: nn.Module, *, name: str, outputs: Outputs, qualifier: str = "") -> None:
        super().__init__()
        if outputs not in ("features", "logits"):
            raise ValueError(f"outputs must be 'features' or 'logits', not {outputs!r}")
        self.module = module.eval().requires_grad_(False)
        self.name, self.outputs, self.qualifier = name, outputs, qualifier

    def label(self, metric: str) -> str:
        """``metric`` (``IS`` or ``FID``) as reports must call it with this network."""
        return f"{self.qualifier} {metric}" if self.qualifier else metric

    @torch.no_grad()
    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.module(images).flatten(1)
