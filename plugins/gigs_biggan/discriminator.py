"""A class-conditional projection discriminator for training the ``biggan`` generator.

Miyato & Koyama, *cGANs with Projection Discriminator* (ICLR 2018): a ResNet φ maps the
image to features h, and the score is ``ψ(h) + ⟨embed(y), h⟩``, a linear score plus the
projection of h onto the class's learnt embedding. Every weight is spectrally normalised
(Miyato et al. 2018), as in BigGAN's discriminator. The blocks are the SNGAN/BigGAN
down-sampling residual blocks (ReLU, 3×3 conv, ReLU, 3×3 conv, 2×2 average pooling; the
skip path a 1×1 conv and the same pooling; the first block starts without ReLU), one per
halving from the image size down to 4×4 and one more at 4×4, widths
``width · 1, 2, 4, 8, 8, …``; then ReLU and a sum over positions.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gigs_biggan.layers import SNConv2d, SNLinear, SpectralNormWeight

#: The widest block has this many times ``width`` channels.
MAX_MULTIPLIER = 8


class DiscriminatorBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, *, down_sample: bool, first: bool):
        super().__init__()
        self.conv_1 = SNConv2d(in_channels, out_channels, 3)
        self.conv_2 = SNConv2d(out_channels, out_channels, 3)
        self.skip = SNConv2d(in_channels, out_channels, 1) if in_channels != out_channels or down_sample else None
        self.down_sample, self.first = down_sample, first

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        hidden = images if self.first else F.relu(images)
        hidden = self.conv_2(F.relu(self.conv_1(hidden)))
        skip = images if self.skip is None else self.skip(images)
        if self.down_sample:
            hidden, skip = F.avg_pool2d(hidden, 2), F.avg_pool2d(skip, 2)
        return hidden + skip


class ProjectionDiscriminator(nn.Module):
    """``N×C×H×W`` images in [−1, 1] and ``N`` class indices → ``N`` scores (higher: more real)."""

    def __init__(self, *, resolution: int, channels: int, width: int, num_classes: int):
        super().__init__()
        halvings = resolution.bit_length() - 3  # resolution = 4 · 2^halvings
        blocks, inputs = [], channels
        for index in range(halvings + 1):
            outputs = width * min(2 ** index, MAX_MULTIPLIER)
            blocks.append(DiscriminatorBlock(inputs, outputs, down_sample=index < halvings, first=index == 0))
            inputs = outputs
        self.blocks = nn.Sequential(*blocks)
        self.linear = SNLinear(inputs, 1)
        # The class embedding as a spectrally normalised linear map of a one-hot vector (BigGAN's choice).
        self.embedding = SNLinear(num_classes, inputs, bias=False)

    def forward(self, images: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
        features = F.relu(self.blocks(images)).sum(dim=(2, 3))
        embedded = self.embedding.normalized_weight().t()[classes]
        return self.linear(features).squeeze(1) + (embedded * features).sum(dim=1)

    @torch.no_grad()
    def set_singular_vectors(self) -> None:
        for module in self.modules():
            if isinstance(module, SpectralNormWeight):
                module.set_singular_vectors()
