"""The ProGAN discriminator (critic): trained beside the generator, and kept for the realism
term of DVBPR's preference maximisation (:mod:`gigs_progan.critic`)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gigs_progan.layers import EqualizedConv2d, EqualizedLinear, minibatch_stddev


class ProGanDiscriminator(nn.Module):
    """Mirror of the generator: ``from_rgb`` per level, a downsampling block per
    level above 4×4, then minibatch stddev, 3×3 and 4×4 convolutions and a linear score."""

    def __init__(self, features: tuple[int, ...], channels: int, *, equalized: bool = True,
                 leak: float = 0.2) -> None:
        super().__init__()
        self.features = tuple(features)
        self.channels = channels
        self.from_rgb = nn.ModuleList(EqualizedConv2d(channels, f, 1, equalized=equalized) for f in self.features)
        self.blocks = nn.ModuleList()
        for level in range(1, len(self.features)):
            block = nn.Module()
            block.conv1 = EqualizedConv2d(self.features[level], self.features[level], 3, padding=1, equalized=equalized)
            block.conv2 = EqualizedConv2d(self.features[level], self.features[level - 1], 3, padding=1,
                                          equalized=equalized)
            self.blocks.append(block)
        first = self.features[0]
        self.final_conv = EqualizedConv2d(first + 1, first, 3, padding=1, equalized=equalized)
        self.final_dense = EqualizedConv2d(first, first, 4, equalized=equalized)
        self.score = EqualizedLinear(first, 1, equalized=equalized, gain=1.0)
        self._act = nn.LeakyReLU(leak)

    def _block(self, level: int, x: torch.Tensor) -> torch.Tensor:
        block = self.blocks[level - 1]
        x = self._act(block.conv1(x))
        x = self._act(block.conv2(x))
        return F.avg_pool2d(x, 2)

    def forward(self, images: torch.Tensor, level: int | None = None, alpha: float = 1.0) -> torch.Tensor:
        """Scores (``N``) of native-range images at ``level`` with fade-in ``alpha``."""
        level = len(self.features) - 1 if level is None else level
        x = self._act(self.from_rgb[level](images))
        if level > 0:
            x = self._block(level, x)
            if alpha < 1.0:
                skip = self._act(self.from_rgb[level - 1](F.avg_pool2d(images, 2)))
                x = alpha * x + (1.0 - alpha) * skip
            for inner in range(level - 1, 0, -1):
                x = self._block(inner, x)
        x = minibatch_stddev(x)
        x = self._act(self.final_conv(x))
        x = self._act(self.final_dense(x))
        return self.score(x.flatten(1)).reshape(-1)
