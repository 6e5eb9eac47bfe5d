"""The domain classifier as the network of "domain IS" and "domain FID"
(:mod:`gigs_core.metrics.feature_network`)."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from gigs_core.metrics.feature_network import FeatureNetwork, Outputs
from gigs_domain.classifier import DomainClassifier, load_classifier

#: Metrics through this network are called "domain IS" and "domain FID".
QUALIFIER = "domain"


class PooledFeatures(nn.Module):
    """The classifier's pooled features before its linear head (``embed``)."""

    def __init__(self, classifier: DomainClassifier) -> None:
        super().__init__()
        self.classifier = classifier

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier.embed(images)


def domain_feature_network(path: str | Path, *, outputs: Outputs = "features") -> FeatureNetwork:
    """The classifier saved at ``path`` (``gigs train classifier``): its pooled features for
    domain FID (``outputs="features"``), or its category logits for domain IS and FID."""
    classifier = load_classifier(path)
    module = classifier if outputs == "logits" else PooledFeatures(classifier)
    return FeatureNetwork(module, name=f"domain classifier {Path(path).name} ({outputs})", outputs=outputs,
                          qualifier=QUALIFIER)
