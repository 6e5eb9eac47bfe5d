"""The toy networks. Weights come from ``seed``; nothing is trained."""

from __future__ import annotations

import math

import torch
from torch import nn

from gigs_core.imaging import resize, to_channels
from gigs_core.method.latent import StandardNormalLatent
from gigs_core.method.linear_preference import LinearPreferenceMixin
from gigs_core.method.modules import seeded


class ToyGenerator(StandardNormalLatent, nn.Module):
    """Pixel-normed z → 4×4 map → (upsample, conv, LeakyReLU)* → tanh, mapped to [0, 1]."""

    def __init__(self, latent_dim: int, resolution: int, channels: int, width: int, seed: int):
        super().__init__()
        self.latent_dim, self.resolution, self.channels = latent_dim, resolution, channels
        self.latent_shape = (latent_dim,)
        with seeded(seed):
            self.project = nn.Linear(latent_dim, width * 16)
            blocks = []
            for _ in range(int(math.log2(resolution)) - 2):
                blocks += [nn.Upsample(scale_factor=2), nn.Conv2d(width, width, 3, padding=1), nn.LeakyReLU(0.2)]
            self.blocks = nn.Sequential(*blocks)
            self.to_image = nn.Conv2d(width, channels, 1)
        self.width = width

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        z = z / z.pow(2).mean(dim=1, keepdim=True).add(1e-8).sqrt()
        hidden = nn.functional.leaky_relu(self.project(z), 0.2).view(-1, self.width, 4, 4)
        return (torch.tanh(self.to_image(self.blocks(hidden))) + 1) / 2


class ToyRecommender(LinearPreferenceMixin, nn.Module):
    """φ = a small random conv net; θ_u ~ N(0, I); preference θ_uᵀφ(x)."""

    def __init__(self, num_users: int, feature_dim: int, input_size: int, seed: int):
        super().__init__()
        self.num_users, self.input_size = num_users, input_size
        with seeded(seed):
            self.phi = nn.Sequential(
                nn.Conv2d(3, 16, 3, stride=2, padding=1),
                nn.ReLU(),
                nn.Conv2d(16, 32, 3, stride=2, padding=1),
                nn.ReLU(),
                nn.AdaptiveAvgPool2d(2),
                nn.Flatten(),
                nn.Linear(128, feature_dim),
            )
            self.theta = nn.Parameter(torch.randn(num_users, feature_dim))

    def features(self, images: torch.Tensor) -> torch.Tensor:
        return self.phi(to_channels(resize(images, self.input_size), 3) * 2 - 1)

    def user_embeddings(self, users: torch.Tensor) -> torch.Tensor:
        return self.theta[self.check_users(users).to(self.theta.device)]
