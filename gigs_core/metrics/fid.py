"""Fréchet distance between the feature distributions of real and generated images (FID).

Each set's features are fitted with a Gaussian (mean ``μ``, covariance ``Σ`` with the ``N − 1``
denominator, as ``numpy.cov``), and

    FID = ‖μ_r − μ_g‖² + tr(Σ_r) + tr(Σ_g) − 2 tr((Σ_r Σ_g)^½)      (Heusel et al. 2017)

Lower is better. ``tr((Σ_r Σ_g)^½)`` is taken the robust way, in float64: it equals
``tr((Σ_r^½ Σ_g Σ_r^½)^½)``, the sum of the square roots of the eigenvalues of a symmetric
positive semi-definite matrix, so two symmetric eigen-decompositions give it with no complex
parts and no failure on the singular covariances of fewer images than feature dimensions
(eigenvalues that rounding makes slightly negative are set to 0).

With Inception pool3 features it is "FID"; with any other network it is named after it (see
:mod:`gigs_core.metrics.feature_network`). FID is biased upward at small sample sizes: compare
values computed from equally many images only.
"""

from __future__ import annotations

import numpy as np
import torch

from gigs_core.errors import UserInputError
from gigs_core.metrics.base import NetworkMetric, check_batch_size, check_images
from gigs_core.metrics.feature_network import FeatureNetwork

MINIMUM_IMAGES = 2


def _symmetric_sqrt(matrix: np.ndarray) -> np.ndarray:
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    return (eigenvectors * np.sqrt(eigenvalues.clip(min=0))) @ eigenvectors.T


def frechet_distance(mean_a: np.ndarray, covariance_a: np.ndarray, mean_b: np.ndarray,
                     covariance_b: np.ndarray) -> float:
    """The Fréchet distance between two Gaussians (float64)."""
    mean_a, mean_b = np.asarray(mean_a, np.float64), np.asarray(mean_b, np.float64)
    covariance_a, covariance_b = np.asarray(covariance_a, np.float64), np.asarray(covariance_b, np.float64)
    root_a = _symmetric_sqrt((covariance_a + covariance_a.T) / 2)
    middle = root_a @ covariance_b @ root_a
    trace_of_root = np.sqrt(np.linalg.eigvalsh((middle + middle.T) / 2).clip(min=0)).sum()
    return float(((mean_a - mean_b) ** 2).sum() + np.trace(covariance_a) + np.trace(covariance_b)
                 - 2 * trace_of_root)


class FeatureMoments:
    """Count, mean and centred sum of outer products of feature vectors, in float64, merged
    batch by batch (Chan et al.'s pairwise update, stable where raw sums of squares are not)."""

    def __init__(self) -> None:
        self.count, self.mean, self.centred = 0, None, None

    def add(self, features: torch.Tensor) -> None:
        block = features.detach().double().cpu().numpy()
        block_mean = block.mean(axis=0)
        block_centred = (block - block_mean).T @ (block - block_mean)
        if self.count == 0:
            self.count, self.mean, self.centred = block.shape[0], block_mean, block_centred
            return
        total = self.count + block.shape[0]
        delta = block_mean - self.mean
        self.centred = self.centred + block_centred + np.outer(delta, delta) * (self.count * block.shape[0] / total)
        self.mean = self.mean + delta * (block.shape[0] / total)
        self.count = total

    def gaussian(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean and covariance (``N − 1`` denominator)."""
        return self.mean, self.centred / (self.count - 1)


def _check_counts(real: int, generated: int, label: str) -> None:
    if real < MINIMUM_IMAGES or generated < MINIMUM_IMAGES:
        raise UserInputError(f"{label} needs at least {MINIMUM_IMAGES} real and {MINIMUM_IMAGES} generated images "
                             f"(a covariance each), got {real} real and {generated} generated")


def frechet_inception_distance(real: torch.Tensor, generated: torch.Tensor, network: FeatureNetwork, *,
                               batch_size: int = 64) -> float:
    """FID between ``real`` and ``generated`` ``[0, 1]`` images through ``network``, fed in
    batches of ``batch_size``; the images go to the network as they are (move them to its device)."""
    check_images(real, "real images")
    check_images(generated, "generated images")
    _check_counts(real.shape[0], generated.shape[0], network.label("FID"))
    check_batch_size(batch_size)
    real_moments, generated_moments = FeatureMoments(), FeatureMoments()
    for moments, images in ((real_moments, real), (generated_moments, generated)):
        for start in range(0, images.shape[0], batch_size):
            moments.add(network(images[start:start + batch_size]))
    return frechet_distance(*real_moments.gaussian(), *generated_moments.gaussian())


class FrechetInceptionDistance(NetworkMetric):
    """Stateful FID: ``update(images, real=True|False)`` in any batches, then ``compute()``.
    ``label`` is "FID" for Inception, "domain FID" for the domain classifier, and so on."""

    higher_is_better = False
    name = "FID"

    def __init__(self, network: FeatureNetwork) -> None:
        self.network = network
        self.reset()

    def update(self, images: torch.Tensor, *, real: bool) -> None:
        check_images(images, "real images" if real else "generated images")
        (self._real if real else self._generated).add(self.network(images))

    def compute(self) -> float:
        _check_counts(self._real.count, self._generated.count, self.label)
        return frechet_distance(*self._real.gaussian(), *self._generated.gaussian())

    def reset(self) -> None:
        self._real, self._generated = FeatureMoments(), FeatureMoments()
