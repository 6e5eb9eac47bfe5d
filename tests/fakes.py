"""Tiny analytic backends for tests, registered through a test plugin (conftest.py).

* ``linear`` generator: G(z) = sigmoid(M z + b) reshaped to C×8×8.
* ``pixel`` recommender: φ(x) = the 8×8 resized image, flattened; θ_u fixed
  random; preference θ_uᵀφ(x) — linear in pixels, so optima are easy to reason about.
* ``layered`` generator: a latent of shape L×D (like StyleGAN's W+), one row per
  layer, each row standardised on its own by ``project_latent``.
* ``distance`` recommender: preference −‖φ(x) − θ_u‖², not linear in φ (no
  ``features``/``user_embeddings``), so only ``score``/``group_score`` exist.
* ``tiny-cnn`` feature extractor: a small conv net, a fast shift-predictor trunk.
"""

from __future__ import annotations

import pydantic
import torch
from torch import nn

from gigs_core import hookimpl
from gigs_core.imaging import resize, to_channels
from gigs_core.method.latent import StandardNormalLatent, standardize
from gigs_core.method.linear_preference import LinearPreferenceMixin
from gigs_core.method.modules import seeded
from gigs_core.method.users import check_user_ids
from gigs_core.options import BackendOptions

SIZE = 8


class LinearGeneratorOptions(BackendOptions):
    latent_dim: int = 6
    channels: int = 1
    seed: int = 0
    nan_weights: bool = False


class LayeredGeneratorOptions(BackendOptions):
    layers: int = 3
    latent_dim: int = 4
    seed: int = 0


class DistanceRecommenderOptions(BackendOptions):
    num_users: int = 4
    seed: int = 0


class PixelRecommenderOptions(BackendOptions):
    num_users: int = 5
    channels: int = 1
    seed: int = 0


class TinyCnnOptions(BackendOptions):
    width: int = pydantic.Field(8, ge=1)


class LinearGenerator(StandardNormalLatent, nn.Module):
    def __init__(self, latent_dim: int = 6, channels: int = 1, seed: int = 0, nan_weights: bool = False):
        super().__init__()
        self.latent_dim, self.channels, self.resolution = latent_dim, channels, SIZE
        self.latent_shape = (latent_dim,)
        with seeded(seed):
            self.weight = nn.Parameter(torch.randn(channels * SIZE * SIZE, latent_dim) / latent_dim**0.5)
            self.bias = nn.Parameter(torch.full((channels * SIZE * SIZE,), float("nan") if nan_weights else 0.0))

    def forward(self, z):
        return torch.sigmoid(z @ self.weight.T + self.bias).view(-1, self.channels, SIZE, SIZE)


class LayeredGenerator(nn.Module):
    def __init__(self, layers: int = 3, latent_dim: int = 4, seed: int = 0):
        super().__init__()
        self.latent_shape, self.channels, self.resolution = (layers, latent_dim), 1, SIZE
        with seeded(seed):
            self.weight = nn.Parameter(torch.randn(layers * latent_dim, SIZE * SIZE) / latent_dim**0.5)

    def sample_latent(self, n, *, generator=None):
        return torch.randn(n, *self.latent_shape, generator=generator).to(self.weight.device)

    def project_latent(self, z):
        return standardize(z, (-1,))

    def forward(self, z):
        return torch.sigmoid(z.flatten(1) @ self.weight).view(-1, 1, SIZE, SIZE)


class DistanceRecommender(nn.Module):
    def __init__(self, num_users: int = 4, seed: int = 0):
        super().__init__()
        self.num_users = num_users
        with seeded(seed + 2000):
            self.theta = nn.Parameter(torch.rand(num_users, SIZE * SIZE))

    def score(self, images, users):
        users = check_user_ids(users, self.num_users).to(self.theta.device)
        pixels = to_channels(resize(images, SIZE), 1).flatten(1)
        return -(pixels[:, None, :] - self.theta[users][None]).pow(2).sum(-1)

    def group_score(self, images, users):
        return self.score(images, users).mean(dim=1)


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
        register("layered", LayeredGeneratorOptions, lambda o: LayeredGenerator(**o.model_dump()))

    @hookimpl
    def register_recommenders(self, register):
        register("pixel", PixelRecommenderOptions, lambda o: PixelRecommender(**o.model_dump()))
        register("distance", DistanceRecommenderOptions, lambda o: DistanceRecommender(**o.model_dump()))

    @hookimpl
    def register_feature_extractors(self, register):
        register("tiny-cnn", TinyCnnOptions, lambda o: TinyCnn(o.width))
