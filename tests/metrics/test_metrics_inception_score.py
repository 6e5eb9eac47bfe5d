"""Inception Score on hand-made logits with known answers, against a direct scipy computation,
and stateful = functional."""

import math

import numpy as np
import pytest
import scipy.special
import scipy.stats
import torch
from torch import nn

from gigs_core.errors import UserInputError
from gigs_core.metrics import FeatureNetwork, InceptionScore, inception_score, inception_score_from_logits


def test_identical_predictions_score_one():
    result = inception_score_from_logits(torch.randn(1, 7).repeat(20, 1), splits=4)
    assert result.mean == pytest.approx(1.0) and result.std == pytest.approx(0.0, abs=1e-12)
    assert result.count == 4


def test_certain_predictions_over_k_balanced_classes_score_k():
    logits = 200 * torch.eye(6).repeat(4, 1)  # each split of 6 holds every class once
    result = inception_score_from_logits(logits, splits=4)
    assert result.mean == pytest.approx(6.0) and result.std == pytest.approx(0.0, abs=1e-9)


def test_a_hand_computed_pair():
    # p(y|x) = (3/4, 1/4) and (1/4, 3/4): p(y) = (1/2, 1/2), KL = 3/4 ln 3/2 + 1/4 ln 1/2 for both
    logits = torch.tensor([[3.0, 1.0], [1.0, 3.0]], dtype=torch.float64).log()
    expected = math.exp(0.75 * math.log(1.5) + 0.25 * math.log(0.5))
    assert inception_score_from_logits(logits, splits=1).mean == pytest.approx(expected, rel=1e-12)


def direct_is(logits: np.ndarray, splits: int) -> tuple[float, float]:
    """The improved-gan recipe written with scipy: parts k·N//splits … (k+1)·N//splits."""
    probabilities = scipy.special.softmax(logits, axis=1)
    count, scores = len(logits), []
    for k in range(splits):
        part = probabilities[k * count // splits:(k + 1) * count // splits]
        marginal = part.mean(axis=0)
        scores.append(np.exp(np.mean([scipy.stats.entropy(p, marginal) for p in part])))
    return float(np.mean(scores)), float(np.std(scores))


def test_random_logits_with_uneven_splits_match_a_direct_computation():
    logits = 3 * torch.randn(23, 10, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    result = inception_score_from_logits(logits, splits=4)
    assert (result.mean, result.std) == pytest.approx(direct_is(logits.numpy(), 4), rel=1e-10)


class Logits(nn.Module):
    """Fixed random class logits of the pixels."""

    def __init__(self):
        super().__init__()
        self.weights = torch.randn(16, 5, generator=torch.Generator().manual_seed(1)) * 4

    def forward(self, images):
        return images.flatten(1) @ self.weights


def test_stateful_in_chunks_equals_functional_and_names_the_network():
    network = FeatureNetwork(Logits(), name="pixel classifier", outputs="logits", qualifier="domain")
    images = torch.rand(12, 1, 4, 4, generator=torch.Generator().manual_seed(2))
    metric = InceptionScore(network, splits=3)
    metric.update(images[:5])
    metric.update(images[5:])
    chunked, at_once = metric.compute(), inception_score(images, network, splits=3, batch_size=4)
    # equal up to float32 rounding: the network's sums depend on its batch size
    assert (chunked.mean, chunked.std, chunked.count) == pytest.approx((at_once.mean, at_once.std, 3), rel=1e-6)
    assert metric.label == "domain IS" and metric.network_name == "pixel classifier"
    assert InceptionScore.higher_is_better is True


def test_needs_logits_and_sensible_splits():
    features = FeatureNetwork(nn.Flatten(), name="pool features", outputs="features")
    with pytest.raises(UserInputError, match="class logits"):
        InceptionScore(features)
    logits = FeatureNetwork(Logits(), name="pixel classifier", outputs="logits")
    with pytest.raises(UserInputError, match="splits must be between 1 and the number of images"):
        inception_score(torch.rand(3, 1, 4, 4), logits, splits=10)
