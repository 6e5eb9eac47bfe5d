"""Structural similarity (Wang et al. 2004) of image pairs, on torch.

Conventions (those of ``skimage.metrics.structural_similarity`` with ``gaussian_weights=True,
sigma=1.5, use_sample_covariance=False, data_range=1``):

* local statistics under an 11-tap Gaussian window with σ = 1.5 (radius 5), normalised to sum 1,
  applied separably;
* population (not sample) variances and covariance;
* ``C1 = (0.01·L)²``, ``C2 = (0.03·L)²`` with data range ``L = 1``;
* the SSIM map is averaged over the positions where the window lies wholly inside the image
  (skimage filters the whole image and then crops 5 pixels from every border, which keeps
  exactly these) and over the channels (skimage's ``channel_axis``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from gigs_core.errors import UserInputError
from gigs_core.metrics.base import check_images

WINDOW_SIZE = 11
WINDOW_SIGMA = 1.5
K1, K2 = 0.01, 0.03
DATA_RANGE = 1.0


def gaussian_window(dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """The 1-D window: ``exp(-x² / 2σ²)`` at ``x = -5 … 5``, summing to 1."""
    offsets = torch.arange(WINDOW_SIZE, dtype=dtype, device=device) - WINDOW_SIZE // 2
    weights = torch.exp(-0.5 * (offsets / WINDOW_SIGMA) ** 2)
    return weights / weights.sum()


def _local_mean(planes: torch.Tensor, window: torch.Tensor) -> torch.Tensor:
    """``P×1×H×W`` → ``P×1×(H−10)×(W−10)`` Gaussian-weighted means (valid positions only)."""
    return F.conv2d(F.conv2d(planes, window.view(1, 1, 1, -1)), window.view(1, 1, -1, 1))


def ssim(first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """Per-image SSIM of two ``N×C×H×W`` batches in ``[0, 1]`` (``H, W ≥ 11``): ``N`` values.
    Computed in float64 for float64 inputs, else in float32."""
    check_images(first, "first images")
    check_images(second, "second images")
    if first.shape != second.shape:
        raise UserInputError(f"SSIM compares images of one shape, got {tuple(first.shape)} and "
                             f"{tuple(second.shape)}; resize them with gigs_core.imaging.conform")
    if min(first.shape[-2:]) < WINDOW_SIZE:
        raise UserInputError(f"SSIM needs images of at least {WINDOW_SIZE}×{WINDOW_SIZE} pixels (its Gaussian "
                             f"window), got {first.shape[-2]}×{first.shape[-1]}; upsample them first")
    dtype = torch.float64 if first.dtype == torch.float64 else torch.float32
    n, c, h, w = first.shape
    x = first.to(dtype).reshape(n * c, 1, h, w)
    y = second.to(dtype=dtype, device=first.device).reshape(n * c, 1, h, w)
    window = gaussian_window(dtype, first.device)
    mu_x, mu_y = _local_mean(x, window), _local_mean(y, window)
    var_x = _local_mean(x * x, window) - mu_x * mu_x
    var_y = _local_mean(y * y, window) - mu_y * mu_y
    cov_xy = _local_mean(x * y, window) - mu_x * mu_y
    c1, c2 = (K1 * DATA_RANGE) ** 2, (K2 * DATA_RANGE) ** 2
    similarity = ((2 * mu_x * mu_y + c1) * (2 * cov_xy + c2)) / ((mu_x ** 2 + mu_y ** 2 + c1) * (var_x + var_y + c2))
    return similarity.reshape(n, -1).mean(dim=1)
