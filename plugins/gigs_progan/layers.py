"""Building blocks of ProGAN: equalised learning-rate layers, pixel norm, minibatch stddev.

Equalised learning rate (Karras et al. 2018, §4.1): weights are stored N(0, 1)
and scaled at run time by ``gain / sqrt(fan_in)``; biases are not scaled.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class EqualizedConv2d(nn.Module):
    """A 2-D convolution whose weight is scaled by ``gain/sqrt(fan_in)`` at run time
    (``equalized=False``: a plain convolution with the same parameters)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, *, padding: int = 0,
                 equalized: bool = True, gain: float = math.sqrt(2.0)) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.padding = padding
        fan_in = in_channels * kernel_size * kernel_size
        self.scale = gain / math.sqrt(fan_in) if equalized else 1.0
        if not equalized:
            nn.init.kaiming_normal_(self.weight, a=0.2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.padding)


class EqualizedLinear(nn.Module):
    """A linear layer with the equalised learning-rate weight scaling."""

    def __init__(self, in_features: int, out_features: int, *, equalized: bool = True,
                 gain: float = math.sqrt(2.0)) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features))
        self.bias = nn.Parameter(torch.zeros(out_features))
        self.scale = gain / math.sqrt(in_features) if equalized else 1.0
        if not equalized:
            nn.init.kaiming_normal_(self.weight, a=0.2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.scale, self.bias)


class LatentToMap(nn.Module):
    """The first layer: a latent vector to a ``features × 4 × 4`` map (a dense layer,
    stored as a 4×4 transposed convolution of the latent seen as a 1×1 image,
    weight ``latent × features × 4 × 4``; one bias per output unit). Equalised
    scaling uses ``fan_in = latent``."""

    def __init__(self, latent_dim: int, features: int, *, equalized: bool = True,
                 gain: float = math.sqrt(2.0)) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(latent_dim, features, 4, 4))
        self.bias = nn.Parameter(torch.zeros(features, 4, 4))
        self.scale = gain / math.sqrt(latent_dim) if equalized else 1.0
        if not equalized:
            nn.init.normal_(self.weight, 0.0, gain / math.sqrt(latent_dim))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return F.conv_transpose2d(z[:, :, None, None], self.weight * self.scale) + self.bias


def pixel_norm(x: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Normalise each pixel's feature vector to unit mean square (over dim 1):
    ``x / sqrt(mean(x²) + eps)``."""
    return x / x.pow(2.0).mean(dim=1, keepdim=True).add(eps).sqrt()


def upscale(x: torch.Tensor) -> torch.Tensor:
    """Nearest-neighbour ×2 upsampling."""
    return F.interpolate(x, scale_factor=2.0, mode="nearest")


def minibatch_stddev(x: torch.Tensor, group_size: int = 4, eps: float = 1e-8) -> torch.Tensor:
    """Append one feature map: the mean over features and pixels of the standard
    deviation of each feature within groups of the batch (Karras et al. §3)."""
    n, c, h, w = x.shape
    group = min(group_size, n)
    while n % group:
        group -= 1
    y = x.reshape(group, -1, c, h, w)
    y = (y - y.mean(dim=0, keepdim=True)).pow(2).mean(dim=0).add(eps).sqrt()
    y = y.mean(dim=(1, 2, 3), keepdim=True)  # M×1×1×1
    y = y.repeat(group, 1, h, w)
    return torch.cat([x, y], dim=1)
