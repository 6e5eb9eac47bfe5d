"""A differentiable stripes painter that follows gigs's Generator protocol."""

from __future__ import annotations

import torch
from torch import nn

from gigs_core.method.latent import StandardNormalLatent


class StripesGenerator(StandardNormalLatent, nn.Module):
    """z → (angle, frequency, phase, two RGB colours) → stripes in [0, 1]."""

    def __init__(self, resolution: int = 32, latent_dim: int = 16):
        super().__init__()
        self.resolution, self.latent_dim, self.channels = resolution, latent_dim, 3
        self.latent_shape = (latent_dim,)  # StandardNormalLatent samples z ~ N(0, I) of this shape
        generator = torch.Generator().manual_seed(0)
        self.register_buffer("mixing", torch.randn(latent_dim, 9, generator=generator) / latent_dim**0.5)
        axis = torch.linspace(-1, 1, resolution)
        self.register_buffer("grid_y", axis.view(1, resolution, 1).expand(1, resolution, resolution).clone())
        self.register_buffer("grid_x", axis.view(1, 1, resolution).expand(1, resolution, resolution).clone())

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        p = z @ self.mixing.to(z.dtype)
        angle, frequency, phase = p[:, 0], 2 + 3 * torch.sigmoid(p[:, 1]), p[:, 2]
        colour_a, colour_b = torch.sigmoid(p[:, 3:6]), torch.sigmoid(p[:, 6:9])
        position = torch.cos(angle)[:, None, None] * self.grid_x + torch.sin(angle)[:, None, None] * self.grid_y
        mix = 0.5 + 0.5 * torch.sin(3.14159 * frequency[:, None, None] * position + phase[:, None, None])
        return colour_a[:, :, None, None] * mix[:, None] + colour_b[:, :, None, None] * (1 - mix[:, None])
