"""Opposite SSIM: how different the images of a set are from each other.

The paper (Evaluation, "Opposite structural similarity index") subtracts SSIM from 1 "to obtain
the opposite SSIM, which signifies the diversity in the generated images" without saying over
which pairs. We take, for one set (the variants of one item, or of one sampled latent in
class-level mode), ``1 − mean SSIM over its unordered pairs`` (SSIM is symmetric), and report the
mean ± std over sets. Higher is more diverse, as in the paper's Table 2.
"""

from __future__ import annotations

import torch

from gigs_core.errors import UserInputError
from gigs_core.metrics.base import PerUnitMetric, Summary, check_images
from gigs_core.metrics.ssim import ssim


def _check_sets(sets: torch.Tensor) -> None:
    if not isinstance(sets, torch.Tensor) or sets.dim() != 5 or sets.shape[1] < 2:
        shape = tuple(sets.shape) if isinstance(sets, torch.Tensor) else type(sets).__name__
        raise UserInputError(f"opposite SSIM needs sets of at least 2 images as an S×V×C×H×W tensor, got {shape}; "
                             f"use images[None] for a single set")
    check_images(sets.flatten(0, 1), "image sets")


@torch.no_grad()
def _set_diversities(sets: torch.Tensor) -> torch.Tensor:
    first, second = torch.triu_indices(sets.shape[1], sets.shape[1], offset=1, device=sets.device)
    pairs = ssim(sets[:, first].flatten(0, 1), sets[:, second].flatten(0, 1)).view(sets.shape[0], -1)
    return 1 - pairs.mean(dim=1)


def opposite_ssim(sets: torch.Tensor) -> Summary:
    """Mean ± std over ``S×V×C×H×W`` sets of ``1 − mean pairwise SSIM`` within each set of ``V ≥ 2``."""
    _check_sets(sets)
    return Summary.of(_set_diversities(sets))


class OppositeSSIM(PerUnitMetric):
    """Stateful :func:`opposite_ssim`: ``update(sets)`` with ``S×V×C×H×W`` tensors."""

    higher_is_better = True
    name = "opposite SSIM"

    def update(self, sets: torch.Tensor) -> None:
        _check_sets(sets)
        self._add(_set_diversities(sets))
