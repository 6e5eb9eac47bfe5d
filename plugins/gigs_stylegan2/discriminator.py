"""The StyleGAN2 discriminator, for training the ``stylegan2`` generator.

The residual discriminator of Karras et al. 2020 (*Analyzing and Improving the Image
Quality of StyleGAN*, Fig. 7c, configs E and F): a 1×1 FromRGB convolution at the image
size, then one residual block per halving down to 4×4 — two 3×3 convolutions, the second
one blurring and downsampling, beside a skip path that blurs and downsamples with a 1×1
convolution without bias or activation; the sum divided by √2 — then the minibatch
standard deviation (ProGAN's, group 4, one feature map), a 3×3 convolution and two
dense layers to one score. Every weight has equalised learning rate; every activation is
the leaky ReLU (0.2) with gain √2; downsampling is the [1, 3, 3, 1] blur followed by a
stride-2 convolution. Widths follow the generator's channel table
(:func:`gigs_stylegan2.architecture.standard_channels`).

Facts from rosinality ``stylegan2-pytorch`` (``model.py``, ``Discriminator``), for the
layout and key names only: ``convs`` is ``[FromRGB, ResBlock, …]``; a ``ConvLayer`` is a
``Sequential`` of ``[Blur,] EqualConv2d[, FusedLeakyReLU]``; a ``ResBlock`` has
``conv1``, ``conv2`` and ``skip``; the blur before a ``k × k`` stride-2 convolution pads
``(p + 1) // 2, p // 2`` with ``p = 4 − 2 + k − 1``; then ``final_conv`` and
``final_linear`` (two ``EqualLinear``, the first with the activation). Its state dict
(``d`` in a training checkpoint) has the same keys as this module's.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from gigs_stylegan2.architecture import standard_channels
from gigs_stylegan2.layers import Blur, EqualConv2d, EqualLinear, FusedLeakyReLU
from gigs_stylegan2.ops import BLUR_TAPS

#: Minibatch standard deviation: samples per group and feature maps added (the paper's values).
STDDEV_GROUP, STDDEV_FEATURES = 4, 1
#: The smallest image the discriminator takes: one residual block down to 4×4.
SMALLEST = 8


def stddev_group(batch: int) -> int:
    """The group size for a batch: 4, or the whole batch when it is smaller."""
    return min(batch, STDDEV_GROUP)


class ConvLayer(nn.Sequential):
    """``[blur,]`` equalised convolution (stride 2 after the blur when ``downsample``)
    ``[, bias + leaky ReLU]``."""

    def __init__(self, in_channel: int, out_channel: int, kernel_size: int, *, downsample: bool = False,
                 activate: bool = True) -> None:
        layers: list[nn.Module] = []
        if downsample:
            pad = len(BLUR_TAPS) - 2 + kernel_size - 1
            layers.append(Blur(pad=((pad + 1) // 2, pad // 2)))
            layers.append(EqualConv2d(in_channel, out_channel, kernel_size, stride=2))
        else:
            layers.append(EqualConv2d(in_channel, out_channel, kernel_size, padding=kernel_size // 2))
        if activate:
            layers.append(FusedLeakyReLU(out_channel))
        super().__init__(*layers)


class ResBlock(nn.Module):
    """Two 3×3 convolutions (the second halves the size) plus a 1×1 downsampling skip, over √2."""

    def __init__(self, in_channel: int, out_channel: int) -> None:
        super().__init__()
        self.conv1 = ConvLayer(in_channel, in_channel, 3)
        self.conv2 = ConvLayer(in_channel, out_channel, 3, downsample=True)
        self.skip = ConvLayer(in_channel, out_channel, 1, downsample=True, activate=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.conv2(self.conv1(x)) + self.skip(x)) / math.sqrt(2.0)


def minibatch_stddev(x: torch.Tensor) -> torch.Tensor:
    """``x`` with one more feature map: for each group of samples ``i, i + N/G, i + 2N/G, …``
    (``G`` = :func:`stddev_group`), the standard deviation over the group of every feature,
    averaged over features and positions, broadcast to the group's members."""
    n, c, h, w = x.shape
    group = stddev_group(n)
    if n % group:
        raise ValueError(f"a batch of {n} does not split into minibatch-stddev groups of {group}")
    grouped = x.view(group, -1, STDDEV_FEATURES, c // STDDEV_FEATURES, h, w)
    spread = torch.sqrt(grouped.var(dim=0, unbiased=False) + 1e-8)
    spread = spread.mean(dim=(2, 3, 4), keepdim=True).squeeze(2)  # (N / G) × features × 1 × 1
    return torch.cat([x, spread.repeat(group, 1, h, w)], dim=1)


class StyleGan2Discriminator(nn.Module):
    """``N × 3 × size × size`` images in ``[-1, 1]`` → ``N × 1`` scores (higher: more real).

    ``channels[k]`` is the width at ``4·2**k`` px, as in the generator's
    :class:`~gigs_stylegan2.architecture.Architecture`; ``size = 4·2**(len(channels) − 1)`` ≥ 8."""

    def __init__(self, channels: tuple[int, ...], image_channels: int = 3) -> None:
        super().__init__()
        self.channels = tuple(int(c) for c in channels)
        self.size = 4 * 2 ** (len(self.channels) - 1)
        if self.size < SMALLEST:
            raise ValueError(f"the discriminator needs images of at least {SMALLEST} px, got {self.size}")
        blocks: list[nn.Module] = [ConvLayer(image_channels, self.channels[-1], 1)]
        for level in range(len(self.channels) - 1, 0, -1):
            blocks.append(ResBlock(self.channels[level], self.channels[level - 1]))
        self.convs = nn.Sequential(*blocks)
        last = self.channels[0]
        self.final_conv = ConvLayer(last + STDDEV_FEATURES, last, 3)
        self.final_linear = nn.Sequential(EqualLinear(last * 4 * 4, last, activate=True), EqualLinear(last, 1))

    @classmethod
    def standard(cls, size: int, channel_multiplier: int = 2, max_channels: int = 512) -> StyleGan2Discriminator:
        """The discriminator for a generator of ``standard_channels(size, channel_multiplier, max_channels)``."""
        return cls(standard_channels(size, channel_multiplier, max_channels))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        features = self.final_conv(minibatch_stddev(self.convs(images)))
        return self.final_linear(features.flatten(1))

    def extra_repr(self) -> str:
        return f"size={self.size}, channels={list(self.channels)}"
