"""The shift predictor Θs: a feature-extractor trunk (ResNet18 by default) with two
linear heads, one classifying which of the n shifts made an image, one
regressing the shift vector (after Voynov & Babenko 2020)."""

from __future__ import annotations

import torch
from torch import nn


class ShiftPredictor(nn.Module):
    """``images → (class logits n, the shift flattened: prod(latent_shape) values)``."""

    def __init__(self, trunk: nn.Module, feature_dim: int, num_shifts: int, shift_size: int):
        super().__init__()
        self.trunk = trunk
        self.class_head = nn.Linear(feature_dim, num_shifts)
        self.shift_head = nn.Linear(feature_dim, shift_size)

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.trunk(images)
        return self.class_head(features), self.shift_head(features)


def build_shift_predictor(trunk_name: str, trunk_options: dict, num_shifts: int, shift_size: int) -> ShiftPredictor:
    """A freshly (randomly) initialised predictor whose trunk is a registered feature extractor.
    Call under :func:`gigs_core.method.modules.seeded` for a reproducible initialisation."""
    from gigs_core.factories import create_feature_extractor

    trunk = create_feature_extractor(trunk_name, **trunk_options)
    return ShiftPredictor(trunk, trunk.feature_dim, num_shifts, shift_size)
