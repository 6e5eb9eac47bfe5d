"""Inception Score (Salimans et al. 2016): confident and varied class predictions.

For class probabilities ``p(y|x)`` of the images and their mean ``p(y)``,

    IS = exp( E_x KL(p(y|x) ‖ p(y)) )

between 1 (every prediction alike) and the number of classes (each image certain of its class,
classes equally used). As in the original code (openai/improved-gan, ``inception_score.py``:
split ``k`` holds images ``k·N//splits`` up to ``(k+1)·N//splits``), the images are cut into
``splits`` consecutive parts, ``p(y)`` and the score are taken within each part, and the result
is the mean ± population std over parts (the paper's "IS 8.22 ± 0.38"; 10 splits by default).

It needs class logits: with Inception's it is "IS"; with the domain classifier's, "domain IS".
"""

from __future__ import annotations

import math

import torch

from gigs_core.errors import UserInputError
from gigs_core.metrics.base import NetworkMetric, Summary, check_batch_size, check_images
from gigs_core.metrics.feature_network import FeatureNetwork

DEFAULT_SPLITS = 10


def _check_splits(splits: int, count: int) -> None:
    if not 1 <= splits <= count:
        raise UserInputError(f"IS splits must be between 1 and the number of images ({count}), got {splits}")


def inception_score_from_logits(logits: torch.Tensor, splits: int = DEFAULT_SPLITS) -> Summary:
    """IS of ``N×K`` class logits (float64): mean ± std over ``splits`` consecutive parts."""
    if logits.dim() != 2 or logits.shape[1] < 2:
        raise UserInputError(f"IS needs N×K class logits with K ≥ 2, got shape {tuple(logits.shape)}")
    count = logits.shape[0]
    _check_splits(splits, count)
    log_probabilities = torch.log_softmax(logits.detach().double(), dim=1)
    scores = []
    for part in range(splits):
        rows = log_probabilities[part * count // splits:(part + 1) * count // splits]
        log_marginal = torch.logsumexp(rows, dim=0) - math.log(rows.shape[0])
        divergence = (rows.exp() * (rows - log_marginal)).sum(dim=1).mean()
        scores.append(divergence.exp())
    return Summary.of(torch.stack(scores))


def _check_logit_network(network: FeatureNetwork) -> None:
    if network.outputs != "logits":
        raise UserInputError(f"IS needs a network that outputs class logits; {network.name!r} gives pool features. "
                             f"Use a logit network (an Inception file with logits, or the domain classifier's)")


def inception_score(images: torch.Tensor, network: FeatureNetwork, *, splits: int = DEFAULT_SPLITS,
                    batch_size: int = 64) -> Summary:
    """IS of ``[0, 1]`` images through ``network``'s logits, fed in batches of ``batch_size``."""
    _check_logit_network(network)
    check_images(images, "images")
    check_batch_size(batch_size)
    _check_splits(splits, images.shape[0])
    logits = torch.cat([network(images[start:start + batch_size]).double().cpu()
                        for start in range(0, images.shape[0], batch_size)])
    return inception_score_from_logits(logits, splits)


class InceptionScore(NetworkMetric):
    """Stateful IS: ``update(images)`` in any batches (the order is kept: splits are consecutive),
    then ``compute()``. ``label`` is "IS" for Inception, "domain IS" for the domain classifier."""

    higher_is_better = True
    name = "IS"

    def __init__(self, network: FeatureNetwork, splits: int = DEFAULT_SPLITS) -> None:
        _check_logit_network(network)
        if splits < 1:
            raise UserInputError(f"IS splits must be at least 1, got {splits}")
        self.network, self.splits = network, splits
        self.reset()

    def update(self, images: torch.Tensor) -> None:
        check_images(images, "images")
        self._logits.append(self.network(images).double().cpu())

    def compute(self) -> Summary:
        if not self._logits:
            raise UserInputError(f"{self.label}: no data yet; call update() with images before compute()")
        return inception_score_from_logits(torch.cat(self._logits), self.splits)

    def reset(self) -> None:
        self._logits: list[torch.Tensor] = []
