"""Tiny analytic backends for tests, registered through a test plugin (conftest.py).

* ``linear`` generator: G(z) = sigmoid(M z + b) reshaped to C×8×8.
* ``pixel`` recommender: φ(x) = the 8×8 resized image, flattened; θ_u fixed
  random; preference θ_uᵀφ(x) — linear in pixels, so optima are easy to reason about.
* ``tiny-cnn`` feature extractor: a small conv net, a fast shift-predictor trunk.
"""

from __future__ import annotations

import pydantic
import torch
from torch import nn

from gigs_core import hookimpl
from gigs_core.imaging import resize, to_channels
from gigs_core.method.linear_preference import LinearPreferenceMixin
from gigs_core.method.modules import seeded
from gigs_core.options import BackendOptions

SIZE = 8


class LinearGeneratorOptions(BackendOptions):
    latent_dim: int = 6
    channels: int = 1
    seed: int = 0


class PixelRecommenderOptions(BackendOptions):
    num_users: int = 5
    channels: int = 1
    seed: int = 0


class TinyCnnOptions(BackendOptions):
    width: int = pydantic.Field(8, ge=1)


class LinearGenerator(nn.Module):
    def __init__(self, latent_dim: int = 6, channels: int = 1, seed: int = 0):
        super().__init__()
        self.latent_dim, self.channels, self.resolution = latent_dim, channels, SIZE
        with seeded(seed):
            self.weight = nn.Parameter(torch.randn(channels * SIZE * SIZE, latent_dim) / latent_dim**0.5)
            self.bias = nn.Parameter(torch.zeros(channels * SIZE * SIZE))

    def sample_latent(self, n, *, generator=None):
        return torch.randn(n, self.latent_dim, generator=generator).to(self.weight.device)

    def forward(self, z):
        return torch.sigmoid(z @ self.weight.T + self.bias).view(-1, self.channels, SIZE, SIZE)


class PixelRecommender(LinearPreferenceMixin, nn.Module):
    def __init__(self, num_users: int = 5, channels: int = 1, seed: int = 0):
        super().__init__()
        self.num_users, self.channels = num_users, channels
        with seeded(seed + 1000):
            self.theta = nn.Parameter(torch.randn(num_users, channels * SIZE * SIZE))

    def features(self, images):
        return to_channels(resize(images, SIZE), self.channels).flatten(1)

    def user_embeddings(self, users):
        return self.theta[self.check_users(users).to(self.theta.device)]


class TinyCnn(nn.Module):
    def __init__(self, width: int = 8):
        super().__init__()
        self.feature_dim = width
        self.net = nn.Sequential(
            nn.Conv2d(3, width, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()
        )

    def forward(self, images):
        return self.net(to_channels(images, 3))


class FakesPlugin:
    @hookimpl
    def register_generators(self, register):
        register("linear", LinearGeneratorOptions, lambda o: LinearGenerator(**o.model_dump()))

    @hookimpl
    def register_recommenders(self, register):
        register("pixel", PixelRecommenderOptions, lambda o: PixelRecommender(**o.model_dump()))

    @hookimpl
    def register_feature_extractors(self, register):
        register("tiny-cnn", TinyCnnOptions, lambda o: TinyCnn(o.width))
