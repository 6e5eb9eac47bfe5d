"""The ``domain:PATH`` perceptual distance: LPIPS-style distance in a domain classifier's features."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from gigs_core.method.perceptual import FeatureDistance, unit_normalised


class DomainFeatureDistance(FeatureDistance):
    """LPIPS-style distance in the feature space of a trained domain classifier
    (:mod:`gigs_domain.classifier`), for catalogues where LPIPS's ImageNet
    backbone is unavailable or out of domain.

    For each of the classifier's convolution blocks, the activations are unit-
    normalised over channels (as LPIPS does); the distance is the sum over blocks
    of the spatially averaged squared difference, with equal weights (no learned
    LPIPS calibration). Deterministic; the classifier runs in evaluation mode.
    """

    def __init__(self, path: str | Path):
        super().__init__()
        from gigs_domain.classifier import load_classifier

        self.path = str(path)
        self.classifier = load_classifier(path).eval().requires_grad_(False)

    def features(self, images: torch.Tensor) -> list[torch.Tensor]:
        """Each convolution block's activations of ``images``, unit-normalised over channels."""
        x = self.classifier.prepare(images)
        outputs = []
        for layer in self.classifier.features:
            x = layer(x)
            if isinstance(layer, nn.Sequential):  # one conv + batch-norm + ReLU block
                outputs.append(unit_normalised(x))
        return outputs

    def distance_from(self, features: list[torch.Tensor], images: torch.Tensor) -> torch.Tensor:
        total = images.new_zeros(images.shape[0])
        for a, b in zip(features, self.features(images)):
            total = total + (a - b).pow(2).sum(dim=1).mean(dim=(1, 2))
        return total
